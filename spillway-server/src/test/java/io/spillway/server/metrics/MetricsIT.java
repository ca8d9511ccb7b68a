package io.spillway.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.core.task.TaskHandler;
import io.spillway.server.BrokenTask;
import io.spillway.server.GateTask;
import io.spillway.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scrapes /metrics after a workload and checks that the values moved as they should. */
class MetricsIT {
    @TempDir
    Path dir;

    private static final TaskHandler FAILING = new BrokenTask();

    /** The value of the one sample whose name and labels contain all of {@code parts}, or 0. */
    private static double value(String scrape, String name, String... labels) {
        return scrape.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> {
                    for (var label : labels) {
                        if (!l.contains(label)) {
                            return false;
                        }
                    }
                    return true;
                })
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void metrics_moveWithTheWorkload() {
        var gate = new GateTask();
        try (var api = TestServer.start(dir, Map.of("max_in_flight", "1"), List.of(gate, FAILING))) {
            var before = api.get("/metrics").body();
            for (int i = 0; i < 20; i++) {
                api.awaitJob(api.submit("{\"task\": \"echo\", \"input\": {\"i\": " + i + "}}"));
            }
            api.awaitJob(api.submit("{\"task\": \"broken\", \"input\": {}}"));
            api.submit("{\"task\": \"gate\", \"input\": {}}");
            var queued = api.submit("{\"task\": \"gate\", \"input\": {\"second\": true}}");
            api.get("/v1/jobs/01a211af-dedb-7000-a92c-390da5b7e399");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                    value(api.get("/metrics").body(), "spillway_queue_depth_jobs", "task=\"gate\"", "priority=\"standard\""))
                    .isEqualTo(1));
            api.post("/v1/jobs/" + queued + "/cancel", "");
            gate.open();

            var scrape = api.get("/metrics");
            var after = scrape.body();
            assertThat(scrape.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
            assertThat(value(before, "spillway_jobs_submitted_total", "task=\"echo\"")).isZero();
            assertThat(value(after, "spillway_jobs_submitted_total", "task=\"echo\"")).isEqualTo(20);
            assertThat(value(after, "spillway_jobs_finished_total", "task=\"echo\"", "status=\"completed\"")).isEqualTo(20);
            assertThat(value(after, "spillway_jobs_finished_total", "task=\"broken\"", "status=\"failed\"")).isEqualTo(1);
            assertThat(value(after, "spillway_jobs_finished_total", "task=\"gate\"", "status=\"cancelled\"")).isEqualTo(1);
            assertThat(value(after, "spillway_job_end_to_end_seconds_count", "task=\"echo\"")).isEqualTo(20);
            assertThat(value(after, "spillway_job_queue_wait_seconds_count", "task=\"echo\"")).isEqualTo(20);
            assertThat(value(after, "spillway_job_run_seconds_count", "task=\"echo\"")).isEqualTo(20);
            assertThat(value(after, "spillway_batch_size_jobs_sum", "task=\"echo\"")).isEqualTo(20);
            assertThat(value(after, "spillway_store_commit_batch_items_sum", "writer=\"accept\"")).isEqualTo(23);
            assertThat(value(after, "spillway_store_commit_seconds_count", "writer=\"complete\"")).isPositive();
            assertThat(value(after, "spillway_http_requests_seconds_count", "route=\"/v1/jobs\"", "status=\"202\"")).isEqualTo(23);
            assertThat(value(after, "spillway_http_requests_seconds_count", "route=\"/v1/jobs/{id}\"", "status=\"404\"")).isEqualTo(1);
            assertThat(after).contains("spillway_job_end_to_end_seconds_bucket{task=\"echo\",le=");
            assertThat(after).contains("jvm_memory_used_bytes");
            assertThat(Pattern.compile("01a211af").matcher(after).find()).as("no job id in any label").isFalse();
        }
    }

    @Test
    void scrape_passesThePrometheusLinterWithBoundedBuckets() {
        try (var api = TestServer.start(dir, Map.of(), List.of(FAILING))) {
            for (int i = 0; i < 5; i++) {
                api.awaitJob(api.submit("{\"task\": \"echo\", \"input\": {\"i\": " + i + "}}"));
            }
            api.awaitJob(api.submit("{\"task\": \"broken\", \"input\": {}}"));
            api.get("/v1/queue");

            var scrape = new Exposition(api.get("/metrics").body());

            assertThat(scrape.lintProblems()).as("what promtool check metrics reports").isEmpty();
            assertThat(scrape.type("spillway_http_requests_seconds")).isEqualTo("histogram");
            assertThat(scrape.bucketsPerSeries("spillway_http_requests_seconds"))
                    .containsKey("{method=\"POST\",route=\"/v1/jobs\",status=\"202\"}")
                    .allSatisfy((series, buckets) -> assertThat(buckets).as(series).isLessThanOrEqualTo(20));
            assertThat(scrape.bucketsPerSeries("spillway_batch_size_jobs")).containsKeys("{task=\"echo\"}", "{task=\"broken\"}")
                    .allSatisfy((series, buckets) -> assertThat(buckets).as(series).isLessThanOrEqualTo(15));
            assertThat(scrape.bucketsPerSeries("spillway_store_commit_batch_items")).isNotEmpty()
                    .allSatisfy((series, buckets) -> assertThat(buckets).as(series).isLessThanOrEqualTo(15));
        }
    }
}
