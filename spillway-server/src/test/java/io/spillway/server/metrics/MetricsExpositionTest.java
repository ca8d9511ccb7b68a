package io.spillway.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.store.QueueStats;
import io.spillway.llm.LlmSpec;
import io.spillway.llm.RemoteModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Spillway meter, recorded once and exported as Prometheus text: it passes the linter's
 * rules, its buckets are bounded, and docs/observability.md and the Grafana dashboard name it as
 * it is exported.
 */
class MetricsExpositionTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Pattern DOC_ROW = Pattern.compile("^\\| (`spillway_[^|]+) \\| ([a-z]*)");
    private static final Pattern NAME = Pattern.compile("`(spillway_[a-z_]+)`");

    /** A scrape after one of everything: engine events, HTTP, in-process and remote model calls. */
    private static Exposition everyMeter() {
        var metrics = new Metrics();
        metrics.accepted("echo", 2);
        var claimed = new Job("id", "default", "echo", JobState.PROCESSING, Priority.STANDARD, JobInput.ofJson("{}"), null, 1, 3,
                NOW, NOW, null, NOW.plusSeconds(30), NOW.plusMillis(3), null, null, null, null, null, null);
        metrics.finished(claimed, JobState.PENDING, NOW.plusMillis(5));
        metrics.finished(claimed, JobState.COMPLETED, NOW.plusMillis(9));
        metrics.batchRan("echo", 2, 1_000_000);
        metrics.committed("accept", 2, 1_000_000);
        metrics.httpRequest("POST", "/v1/jobs", 202, 2_000_000);
        metrics.leasesExpired(1);
        metrics.staleOutcome();
        metrics.sampleQueue(new QueueStats(1, 1, Duration.ofSeconds(2)), QueueStats.TaskQueue.of(
                List.of(new QueueStats.Depth("echo", Priority.STANDARD, 1)), List.of(new QueueStats.Activity("echo", 1, 30)),
                Duration.ofSeconds(60)));
        var models = new ModelMetrics(metrics.registry());
        models.batchRan("minilm", 8, 32, 5_000_000);
        models.queued("minilm", 1_000_000);
        models.waiting("minilm", 3);
        var llm = new LlmMetrics(metrics.registry());
        llm.called("gpt", "ok", 200_000_000);
        llm.used("gpt", 100, 20, 0.01);
        llm.watch(new RemoteModel(new LlmSpec("gpt", "openai", "http://127.0.0.1:9/v1", "gpt-x", null, Duration.ofSeconds(5),
                4, 1, 0, 0, 10_000), Map.of()));
        return new Exposition(metrics.scrape());
    }

    @Test
    void everyMeter_passesThePrometheusLinter() {
        assertThat(everyMeter().lintProblems()).as("what promtool check metrics reports").isEmpty();
    }

    @Test
    void countHistograms_haveAFewBucketsPerLabelSet() {
        var scrape = everyMeter();
        for (var histogram : List.of("spillway_batch_size_jobs", "spillway_model_batch_size_texts",
                "spillway_store_commit_batch_items", "spillway_http_requests_seconds")) {
            assertThat(scrape.type(histogram)).as(histogram).isEqualTo("histogram");
            assertThat(scrape.bucketsPerSeries(histogram)).as(histogram).isNotEmpty()
                    .allSatisfy((series, buckets) -> assertThat(buckets).as(histogram + series).isLessThanOrEqualTo(15));
        }
    }

    @Test
    void observabilityDoc_namesTheExportedFamiliesWithTheirTypes() throws IOException {
        var scrape = everyMeter();
        var documented = new LinkedHashMap<String, String>();
        for (var line : Files.readAllLines(Path.of("..", "docs", "observability.md"))) {
            var row = DOC_ROW.matcher(line);
            if (row.find()) {
                var names = NAME.matcher(row.group(1));
                while (names.find()) {
                    documented.put(names.group(1), row.group(2));
                }
            }
        }
        assertThat(documented).hasSizeGreaterThan(20);
        documented.forEach((name, type) -> assertThat(scrape.type(name))
                .as("docs/observability.md names " + name + " as a " + type).isEqualTo(type));
        var undocumented = new ArrayList<String>();
        for (var family : scrape.families()) {
            if (family.startsWith("spillway_") && !family.endsWith("_max") && !documented.containsKey(family)) {
                undocumented.add(family);
            }
        }
        assertThat(undocumented).as("exported but not in docs/observability.md").isEmpty();
    }

    @Test
    void grafanaDashboard_takesTheMaxOfQueueGauges() throws IOException {
        var dashboard = new ObjectMapper().readTree(Path.of("..", "docs", "grafana", "spillway-dashboard.json").toFile());
        var queries = new ArrayList<String>();
        for (var panel : dashboard.get("panels")) {
            for (var target : panel.path("targets")) {
                if (target.path("expr").asText().contains("spillway_queue_")) {
                    queries.add(target.get("expr").asText());
                }
            }
        }
        // every process reports the same value of the shared queue: a sum counts it once per process
        assertThat(queries).isNotEmpty().allSatisfy(q -> assertThat(q).startsWith("max").doesNotContain("sum"));
    }
}
