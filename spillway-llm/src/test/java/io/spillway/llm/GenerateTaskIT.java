package io.spillway.llm;

import static io.spillway.store.testkit.ClaimedJobs.aClaimedJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateTaskIT {
    static final ObjectMapper JSON = new ObjectMapper();
    FakeProvider fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeProvider();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    static Job job(String input) {
        return job(input, Priority.STANDARD);
    }

    static Job job(String input, Priority priority) {
        return aClaimedJob("generate").input(input).priority(priority).build();
    }

    RemoteModel model(FakeProvider on, String name, double price, Long latencyHintMs, List<String> fallback) {
        return new RemoteModel(new LlmSpec(name, "openai", on.baseUrl(), "fake-" + name, null, Duration.ofSeconds(5), 4, 1,
                price, price, 1_000, fallback, latencyHintMs == null ? null : Duration.ofMillis(latencyHintMs)),
                Map.of(), InstantSource.system(), d -> { });
    }

    @Test
    void aFailingProvider_fallsBackAlongItsChainAndSaysSo() throws Exception {
        try (var other = new FakeProvider()) {
            fake.always(FakeProvider.status(503, "overloaded", Map.of()));
            other.always(FakeProvider.ok("From the backup.", 3, 4));
            var task = new GenerateTask(List.of(model(fake, "primary", 1, null, List.of("backup")),
                    model(other, "backup", 2, null, List.of())));

            var outcome = task.run(List.of(job("{\"prompt\": \"hi\", \"model\": \"primary\"}"))).getFirst();

            var r = JSON.readTree(((Outcome.Completed) outcome).resultJson());
            assertThat(r.get("model").asText()).isEqualTo("backup");
            assertThat(r.get("route").asText()).startsWith("fallback of primary; after primary (")
                    .contains("server error 503");
        }
    }

    @Test
    void interactiveJobs_goToTheFastestModelAndOthersToTheCheapest() throws Exception {
        try (var other = new FakeProvider()) {
            fake.always(FakeProvider.slow(400)); // measured latency, once known, replaces the hint
            var task = new GenerateTask(List.of(model(fake, "cheap-slow", 0.1, 50L, List.of()),
                    model(other, "fast", 1.0, 300L, List.of())));

            var standard = JSON.readTree(((Outcome.Completed) task.run(List.of(job("{\"prompt\": \"hi\"}"))).getFirst())
                    .resultJson());
            var interactive = JSON.readTree(((Outcome.Completed) task.run(List.of(job("{\"prompt\": \"hi\"}",
                    Priority.INTERACTIVE))).getFirst()).resultJson());

            assertThat(standard.get("model").asText()).isEqualTo("cheap-slow");
            assertThat(interactive.get("model").asText()).isEqualTo("fast");
            assertThat(interactive.get("route").asText()).startsWith("interactive: the fastest configured text model");
        }
    }

    @Test
    void whenEveryModelFails_theJobIsRetriedWithEachReason() throws Exception {
        try (var other = new FakeProvider()) {
            fake.always(FakeProvider.status(500, "a", Map.of()));
            other.always(FakeProvider.status(502, "b", Map.of()));
            var task = new GenerateTask(List.of(model(fake, "one", 1, null, List.of()), model(other, "two", 2, null, List.of())));

            var outcome = task.run(List.of(job("{\"prompt\": \"hi\"}"))).getFirst();

            assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> assertThat(r.error())
                    .startsWith("every text model failed").contains("one (").contains("two ("));
        }
    }

    RemoteModel model(String name, double in, double out) {
        return new RemoteModel(new LlmSpec(name, "openai", fake.baseUrl(), "fake-" + name, null, Duration.ofSeconds(5), 4, 1,
                in, out, 1_000), Map.of(), InstantSource.system(), d -> { });
    }

    @Test
    void generate_recordsTextUsageAndCostAndRoutesAutoToTheCheapest() throws Exception {
        fake.always(FakeProvider.ok("Four.", 1000, 2000));
        var task = new GenerateTask(List.of(model("big", 5, 15), model("small", 0.15, 0.6)));

        var outcome = task.run(List.of(job("{\"prompt\": \"2+2?\"}"))).getFirst();

        var r = JSON.readTree(((Outcome.Completed) outcome).resultJson());
        assertThat(r.get("text").asText()).isEqualTo("Four.");
        assertThat(r.get("model").asText()).isEqualTo("small");
        assertThat(r.get("route").asText()).isEqualTo("the cheapest configured text model");
        assertThat(r.at("/usage/input_tokens").asLong()).isEqualTo(1000);
        assertThat(r.at("/usage/output_tokens").asLong()).isEqualTo(2000);
        assertThat(r.at("/usage/cost").asDouble()).isCloseTo(1.35, Assertions.within(1e-9));
        assertThat(JSON.readTree(fake.received.getFirst().body()).get("model").asText()).isEqualTo("fake-small");
        assertThat(task.waitsOnIo()).isTrue();
        assertThat(task.concurrency()).as("the calls its two models take at once").isEqualTo(8);
    }

    @Test
    void anOpenCircuit_postponesTheJobWithoutCallingOrSpendingAnAttempt() throws Exception {
        fake.always(FakeProvider.status(500, "down", Map.of()));
        var task = new GenerateTask(List.of(model("small", 0, 0)));
        for (int i = 0; i < 5; i++) {
            assertThat(task.run(List.of(job("{\"prompt\": \"hi\"}"))).getFirst()).isInstanceOf(Outcome.Retry.class);
        }
        int calls = fake.received.size();

        var outcome = task.run(List.of(job("{\"prompt\": \"hi\"}"))).getFirst();

        assertThat(fake.received).as("the provider was spared").hasSize(calls);
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Postponed.class, p -> {
            assertThat(p.delay()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
            assertThat(p.reason()).contains("waiting for a text model").contains("small (circuit open")
                    .doesNotContainIgnoringCase("retrying");
        });
    }

    @Test
    void aLongProviderPause_postponesTheNextJobs() throws Exception {
        fake.always(FakeProvider.status(429, "{}", Map.of("Retry-After", "120")));
        var task = new GenerateTask(List.of(model("small", 0, 0)));
        assertThat(task.run(List.of(job("{\"prompt\": \"hi\"}"))).getFirst()).isInstanceOf(Outcome.Retry.class);
        int calls = fake.received.size();

        var outcome = task.run(List.of(job("{\"prompt\": \"again\"}"))).getFirst();

        assertThat(fake.received).hasSize(calls);
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Postponed.class, p -> {
            assertThat(p.delay()).isGreaterThan(Duration.ofSeconds(100));
            assertThat(p.reason()).contains("paused by the provider");
        });
    }

    @Test
    void aRateLimitedCall_retriesTheJobAfterTheProvidersDelay() throws Exception {
        fake.always(FakeProvider.status(429, "{}", Map.of("Retry-After", "120")));
        var task = new GenerateTask(List.of(model("small", 0, 0)));

        var outcome = task.run(List.of(job("{\"prompt\": \"hi\"}"))).getFirst();

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> {
            assertThat(r.delay()).isEqualTo(Duration.ofSeconds(120));
            assertThat(r.error()).contains("model small").contains("429");
        });
    }

    @Test
    void badInput_isRefusedAtSubmit() {
        var task = new GenerateTask(List.of(model("small", 0, 0)));

        assertThatThrownBy(() -> task.validate(JobInput.ofJson("{}"))).hasMessageContaining("'prompt' must be a non-empty string");
        assertThatThrownBy(() -> task.validate(JobInput.ofJson("{\"prompt\": \"x\", \"model\": \"gpt-9\"}")))
                .hasMessageContaining("no text model named 'gpt-9'").hasMessageContaining("small");
        assertThatThrownBy(() -> task.validate(JobInput.ofJson("{\"prompt\": \"" + "x".repeat(1001) + "\"}")))
                .hasMessageContaining("takes at most 1000");
        assertThatThrownBy(() -> task.validate(JobInput.ofJson("{\"prompt\": \"x\", \"temperature\": 3}"))).hasMessageContaining("'temperature'");
        assertThatThrownBy(() -> task.validate(JobInput.ofJson("{\"prompt\": \"x\", \"max_tokens\": 0}"))).hasMessageContaining("'max_tokens'");
    }

    @Test
    void repository_readsRemoteModelsAndTheZeroConfigOpenAiModel(@TempDir Path dir) throws Exception {
        var vllm = Files.createDirectories(dir.resolve("vllm"));
        Files.writeString(vllm.resolve("model.yaml"), "kind: llm\nbase_url: http://127.0.0.1:8000/v1\nmodel: llama\n"
                + "api_key_env: VLLM_KEY\nprice_per_1k_input: 0.001\nmax_concurrency: 2\n");
        var env = Map.of("VLLM_KEY", "k", "OPENAI_API_KEY", "sk-x", "SPILLWAY_OPENAI_MODEL", "gpt-4.1-mini");

        var specs = LlmRepository.load(dir, env);

        assertThat(specs).extracting(LlmSpec::name).containsExactly("vllm", "openai");
        assertThat(specs.get(0).maxConcurrency()).isEqualTo(2);
        assertThat(specs.get(1).model()).isEqualTo("gpt-4.1-mini");
        assertThat(specs.get(1).baseUrl()).isEqualTo("https://api.openai.com/v1");
        assertThat(specs.toString()).doesNotContain("sk-x");
        assertThat(LlmRepository.load(dir.resolve("none"), Map.of())).isEmpty();
    }

    @Test
    void repository_reportsBadRemoteModels(@TempDir Path dir) throws Exception {
        var bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("model.yaml"), "kind: llm\nprovider: foo\nbase_url: ftp://x\napi_key_env: NOPE\n");

        assertThatThrownBy(() -> LlmRepository.load(dir, Map.of())).isInstanceOf(LlmConfigException.class)
                .hasMessageContaining("provider must be openai").hasMessageContaining("'base_url' must be")
                .hasMessageContaining("'model' is required").hasMessageContaining("NOPE, which is not set");
    }
}
