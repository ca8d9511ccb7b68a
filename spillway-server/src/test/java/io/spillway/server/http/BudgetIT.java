package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.llm.FakeProvider;
import io.spillway.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Budgets over HTTP on a priced remote model (a local stand-in speaking OpenAI's protocol at 0.5
 * per 1k input tokens and 1.5 per 1k output tokens): reservations at submit, settlement to the real
 * cost, release on cancel, the 429 that names the budget, and {@code GET /v1/usage}.
 */
class BudgetIT {
    /** 30 characters: an estimate of 10 prompt tokens (0.005) plus 100 answer tokens (0.15). */
    static final String JOB = "{\"task\": \"generate\", \"input\": {\"prompt\": \"" + "x".repeat(30) + "\", \"max_tokens\": 100}}";
    static final double JOB_ESTIMATE = 0.155;

    @TempDir
    Path dir;
    FakeProvider fake;
    TestServer api;

    @BeforeEach
    void provider() throws Exception {
        fake = new FakeProvider();
        var model = Files.createDirectories(dir.resolve("models/local-llm"));
        Files.writeString(model.resolve("model.yaml"), "kind: llm\nprovider: openai\nbase_url: " + fake.baseUrl()
                + "\nmodel: fake-1\nprice_per_1k_input: 0.5\nprice_per_1k_output: 1.5\nmax_attempts: 1\n");
    }

    void start(boolean workers) {
        api = TestServer.start(dir.resolve("data"), Map.of("models_dir", dir.resolve("models").toString(),
                "tenant_budgets", "*=1/day", "workers", String.valueOf(workers)), List.of());
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
        fake.close();
    }

    @Test
    void aCompletionSettlesItsReservationToTheRealCost_andTheBudgetRefusesWhatWouldGoOver() {
        start(true);
        fake.then(FakeProvider.ok("a", 1000, 200)); // 0.5 + 0.3 = 0.8
        assertThat(api.awaitJob(api.submit(JOB)).get("status").asText()).isEqualTo("completed");
        fake.then(FakeProvider.ok("b", 100, 50)); // 0.05 + 0.075 = 0.125
        assertThat(api.awaitJob(api.submit(JOB)).get("status").asText()).isEqualTo("completed");

        // 0.925 spent: a job that may cost 0.155 goes over 1
        var refused = api.post("/v1/jobs", JOB);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(TestServer.json(refused).get("detail").asText())
                .contains("tenant default has used 0.925 of its budget (tenant_budgets 1 per day")
                .contains("this job reserves 0.155");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 120L);
        assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("\"budget\";q=1000000000;w=86400");

        var usage = TestServer.json(api.get("/v1/usage?group_by=model"));
        assertThat(usage.at("/tenant").asText()).isEqualTo("default");
        assertThat(usage.at("/total/jobs").asLong()).isEqualTo(2);
        assertThat(usage.at("/total/input_tokens").asLong()).isEqualTo(1100);
        assertThat(usage.at("/total/cost").asDouble()).isCloseTo(0.925, Assertions.within(1e-9));
        assertThat(usage.at("/data/0/model").asText()).isEqualTo("local-llm");
        assertThat(usage.at("/budget/spent").asDouble()).isCloseTo(0.925, Assertions.within(1e-9));
        assertThat(usage.at("/budget/reserved").asDouble()).isZero();
        assertThat(usage.at("/budget/remaining").asDouble()).isCloseTo(0.075, Assertions.within(1e-9));
    }

    @Test
    void pendingJobsHoldTheirReservation_andACancelReleasesIt() {
        start(false);
        String first = null;
        for (int i = 0; i < 6; i++) { // 6 × 0.155 = 0.93
            var id = api.submit(JOB);
            first = first == null ? id : first;
        }
        assertThat(api.post("/v1/jobs", JOB).statusCode()).as("0.93 + 0.155 > 1").isEqualTo(429);
        assertThat(TestServer.json(api.get("/v1/usage")).at("/budget/reserved").asDouble())
                .isCloseTo(6 * JOB_ESTIMATE, Assertions.within(1e-9));

        assertThat(api.post("/v1/jobs/" + first + "/cancel", "").statusCode()).isEqualTo(200);
        assertThat(api.post("/v1/jobs", JOB).statusCode()).as("the cancel released 0.155").isEqualTo(202);
        // a job whose answer is unbounded reserves the default (0.01), which still fits
        assertThat(api.post("/v1/jobs", "{\"prompt\": \"hi\"}").statusCode()).isEqualTo(202);
        assertThat(TestServer.json(api.get("/v1/usage")).at("/budget/reserved").asDouble())
                .isCloseTo(6 * JOB_ESTIMATE + 0.01, Assertions.within(1e-9));
    }

    @Test
    void badRangesAndGroupsAre400s() {
        start(false);
        assertThat(api.get("/v1/usage?from=yesterday").statusCode()).isEqualTo(400);
        assertThat(api.get("/v1/usage?from=+10000-01-01").statusCode()).isEqualTo(400);
        assertThat(api.get("/v1/usage?from=2026-12-05&to=2026-12-01").statusCode()).isEqualTo(400);
        assertThat(api.get("/v1/usage?from=2020-01-01&to=2026-12-01").statusCode()).isEqualTo(400);
        assertThat(api.get("/v1/usage?group_by=color").statusCode()).isEqualTo(400);
        var empty = TestServer.json(api.get("/v1/usage?from=2026-01-01&to=2026-01-31&group_by=day,task"));
        assertThat(empty.at("/total/jobs").asLong()).isZero();
        assertThat(empty.get("data")).isEmpty();
    }
}
