package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.store.Budget;
import io.spillway.llm.FakeProvider;
import io.spillway.server.PgSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Budget accounting balances under everything that can happen to a job: on PostgreSQL with a
 * gateway and two workers, jobs on a priced remote model (a local stand-in) with random answers
 * (successes of random length, slow ones, retryable and final errors), random attempts, cancels,
 * and one worker killed with {@code kill -9} while it holds jobs. Once every job has ended nothing
 * is reserved, and the usage the store kept counts each completed job once, at exactly its cost.
 */
class BudgetBalanceIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int JOBS = 2_000;
    private static final long SEED = 20261204L;

    @TempDir
    Path work;

    @Test
    void reservationsBalanceToZero_andSpentIsTheSumOfTheJobsCosts() throws Exception {
        var random = new SplittableRandom(SEED);
        try (var fake = new FakeProvider(); var schema = new PgSchema()) {
            script(fake, random);
            var models = Files.createDirectories(work.resolve("models/paid"));
            Files.writeString(models.resolve("model.yaml"), "kind: llm\nprovider: openai\nbase_url: " + fake.baseUrl()
                    + "\nmodel: fake-1\nprice_per_1k_input: 0.3\nprice_per_1k_output: 1.7\nmax_attempts: 1\n");
            var common = List.of("--store", schema.url(), "--store-schema", schema.name, "--models-dir",
                    work.resolve("models").toString(), "--tenant-budgets", "*=1000000/day");
            var worker = new ArrayList<>(common);
            worker.addAll(List.of("--lease-seconds", "2", "--drain-timeout-seconds", "1"));
            try (var gateway = ChildServer.run(work, "gateway", common.toArray(String[]::new));
                 var w1 = ChildServer.run(work, "worker", worker.toArray(String[]::new));
                 var w2 = ChildServer.run(work, "worker", worker.toArray(String[]::new))) {
                var base = "http://127.0.0.1:" + gateway.port();
                var client = HttpClient.newHttpClient();
                int cancelled = 0;
                for (int i = 0; i < JOBS; i++) {
                    var input = MAPPER.createObjectNode().put("prompt", "p".repeat(1 + random.nextInt(300)));
                    if (random.nextInt(4) > 0) {
                        input.put("max_tokens", 1 + random.nextInt(1000));
                    }
                    var body = MAPPER.createObjectNode().put("task", "generate").put("max_attempts", 1 + random.nextInt(3));
                    body.set("input", input);
                    var r = send(client, base + "/v1/jobs", body.toString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                    if (random.nextInt(10) == 0) {
                        var id = MAPPER.readTree(r.body()).get("job_id").asText();
                        var c = send(client, base + "/v1/jobs/" + id + "/cancel", "");
                        assertThat(c.statusCode()).as(c.body()).isIn(200, 409);
                        cancelled += c.statusCode() == 200 ? 1 : 0;
                    }
                    if (i == JOBS / 3) {
                        w1.kill(); // with jobs claimed and calls in flight: they run again on w2 once their lease ends
                    }
                }
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> live(schema) == 0);

                var ledger = ledger(schema);
                assertThat(ledger.get("completed")).as("some jobs completed").isGreaterThan(JOBS / 3);
                assertThat(ledger.get("failed")).as("some jobs failed").isPositive();
                assertThat(cancelled).as("some jobs were cancelled while pending").isPositive();
                assertThat(ledger.get("ever_reserved")).as("the jobs reserved their estimates").isPositive();
                assertThat(ledger.get("reserved")).as("reserved once every job ended").isZero();
                assertThat(ledger.get("usage_jobs")).as("each completed job counted once").isEqualTo(ledger.get("completed"));
                assertThat(ledger.get("usage_cost")).as("spent = the sum of the completed jobs' costs")
                        .isEqualTo(ledger.get("results_cost"));
                assertThat(ledger.get("usage_input_tokens")).isEqualTo(ledger.get("results_input_tokens"));

                var usage = MAPPER.readTree(client.send(HttpRequest.newBuilder(URI.create(base + "/v1/usage")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                assertThat(Budget.nanos(usage.at("/total/cost").decimalValue().doubleValue())).isEqualTo(ledger.get("usage_cost"));
                assertThat(usage.at("/budget/reserved").asDouble()).isZero();
                assertThat(List.of(gateway.log(), w2.log())).noneMatch(log -> log.contains("ERROR"));
            }
        }
    }

    /** Answers in arrival order: successes of random length (some slow), retryable 500s and final 400s. */
    private static void script(FakeProvider fake, SplittableRandom random) {
        for (int i = 0; i < JOBS * 2; i++) {
            int kind = random.nextInt(10);
            var ok = FakeProvider.ok("answer " + i, 1 + random.nextInt(2000), 1 + random.nextInt(800));
            fake.then(switch (kind) {
                case 0 -> FakeProvider.status(500, "{\"error\": {\"message\": \"busy\"}}", Map.of());
                case 1 -> FakeProvider.status(400, "{\"error\": {\"message\": \"bad request\"}}", Map.of());
                case 2 -> new FakeProvider.Answer(200, Map.of(), ok.body(), 150);
                default -> new FakeProvider.Answer(200, Map.of(), ok.body(), random.nextInt(20));
            });
        }
    }

    private static HttpResponse<String> send(HttpClient client, String url, String json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long live(PgSchema schema) throws Exception {
        try (var c = schema.connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM jobs WHERE state IN ('pending', 'processing')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** What the store says was reserved and spent, and what the completed jobs' results say they cost. */
    private static Map<String, Long> ledger(PgSchema schema) throws Exception {
        long completed = 0;
        long failed = 0;
        long cost = 0;
        long inputTokens = 0;
        try (var c = schema.connect(); var st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT state, result FROM jobs WHERE state IN ('completed', 'failed')")) {
                while (rs.next()) {
                    if (rs.getString(1).equals("failed")) {
                        failed++;
                        continue;
                    }
                    completed++;
                    var usage = MAPPER.readTree(rs.getString(2)).get("usage");
                    cost += Budget.nanos(usage.get("cost").asDouble());
                    inputTokens += usage.get("input_tokens").asLong();
                }
            }
            long reserved;
            long everReserved;
            try (var rs = st.executeQuery("SELECT coalesce(sum(reserved) FILTER (WHERE state IN ('pending', 'processing')), 0),"
                    + " coalesce(sum(reserved), 0) FROM jobs")) {
                rs.next();
                reserved = rs.getLong(1);
                everReserved = rs.getLong(2);
            }
            try (var rs = st.executeQuery("SELECT coalesce(sum(jobs), 0), coalesce(sum(cost), 0), coalesce(sum(input_tokens), 0)"
                    + " FROM usage_days WHERE tenant = 'default'")) {
                rs.next();
                return Map.of("completed", completed, "failed", failed, "reserved", reserved, "ever_reserved", everReserved,
                        "usage_jobs", rs.getLong(1),
                        "usage_cost", rs.getLong(2), "usage_input_tokens", rs.getLong(3), "results_cost", cost,
                        "results_input_tokens", inputTokens);
            }
        }
    }
}
