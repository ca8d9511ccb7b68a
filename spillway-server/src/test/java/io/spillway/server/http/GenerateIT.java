package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.llm.FakeProvider;
import io.spillway.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference {"prompt"} flow on a remote text model (a local stand-in speaking OpenAI's protocol). */
class GenerateIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static FakeProvider fake;
    static TestServer api;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        fake = new FakeProvider();
        var model = Files.createDirectories(dir.resolve("models/local-llm"));
        Files.writeString(model.resolve("model.yaml"), "kind: llm\nprovider: openai\nbase_url: " + fake.baseUrl()
                + "\nmodel: fake-1\nprice_per_1k_input: 0.5\nprice_per_1k_output: 1.5\nmax_attempts: 1\n");
        Files.writeString(dir.resolve("pipelines.yaml"), """
                pipelines:
                  brief:
                    steps:
                      draft: {task: generate, input: {prompt: $input.text, max_tokens: 20}}
                      mood: {task: sentiment, input: {text: $input.text}}
                    result: {brief: $draft.text, sentiment: $mood.label}
                """);
        api = TestServer.start(dir.resolve("data"), Map.of("models_dir", dir.resolve("models").toString(),
                "pipelines_file", dir.resolve("pipelines.yaml").toString()), List.of());
    }

    @AfterAll
    static void stop() {
        api.close();
        fake.close();
    }

    @Test
    void thePromptForm_runsOnTheConfiguredModelWithUsageAndCost() throws Exception {
        fake.then(FakeProvider.ok("Paris.", 2000, 1000));

        var job = api.awaitJob(api.submit("{\"prompt\": \"Capital of France?\"}"));

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("completed");
        var r = job.get("result");
        assertThat(r.get("text").asText()).isEqualTo("Paris.");
        assertThat(r.at("/usage/model").asText()).isEqualTo("local-llm");
        assertThat(r.at("/usage/input_tokens").asLong()).isEqualTo(2000);
        assertThat(r.at("/usage/cost").asDouble()).isCloseTo(2.5, Assertions.within(1e-9));
        assertThat(fake.received).anyMatch(q -> q.body().contains("Capital of France?"));
        var metrics = api.get("/metrics").body();
        assertThat(metrics).contains("spillway_llm_calls_total{model=\"local-llm\",outcome=\"ok\"}")
                .contains("spillway_llm_tokens_total{direction=\"input\",model=\"local-llm\"}")
                .contains("spillway_llm_cost_total{model=\"local-llm\"}")
                .containsPattern("spillway_llm_concurrency_limit\\{model=\"local-llm\"\\} [1-9]");
    }

    @Test
    void aPipeline_canHaveAnLlmStep() {
        fake.then(FakeProvider.ok("Great launch.", 5, 3));

        var job = api.awaitJob(api.submit("{\"task\": \"brief\", \"input\": {\"text\": \"The launch went wonderfully.\"}}"));

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("completed");
        assertThat(job.at("/result/brief").asText()).isEqualTo("Great launch.");
        assertThat(job.at("/result/sentiment").asText()).isEqualTo("positive");
    }

    @Test
    void aProviderThatAnswersGarbage_failsTheJobNamingIt() {
        fake.then(FakeProvider.status(200, "<html>proxy error</html>", Map.of()));

        var job = api.awaitJob(api.submit("{\"task\": \"generate\", \"input\": {\"prompt\": \"hi\"}}"));

        assertThat(job.get("status").asText()).isEqualTo("failed");
        assertThat(job.get("error").asText()).contains("model local-llm").contains("not a chat completion");
    }

    @Test
    void summarize_isAbstractiveWhenTheModelIsATextModel() throws Exception {
        fake.then(FakeProvider.ok("The launch was a success.", 40, 6));
        var text = "The launch happened on Monday. Customers loved it. Sales doubled in a week. The team celebrated.";

        var job = api.awaitJob(api.submit("{\"task\": \"summarize\", \"model\": \"local-llm\", \"input\": {\"text\": \""
                + text + "\", \"max_sentences\": 1}}"));

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("completed");
        assertThat(job.at("/result/summary").asText()).isEqualTo("The launch was a success.");
        assertThat(job.at("/result/usage/model").asText()).isEqualTo("local-llm");
        var sent = JSON.readTree(fake.received.getLast().body());
        assertThat(sent.toString()).contains("at most 1 sentences").contains("Sales doubled");

        var extractive = api.awaitJob(api.submit("{\"task\": \"summarize\", \"input\": {\"text\": \"" + text
                + "\", \"max_sentences\": 2}}"));
        assertThat(extractive.at("/result/model").asText()).isEqualTo("all-minilm-l6-v2-q/lexrank");
    }

    @Test
    void unknownModels_areRefusedAtSubmit() {
        var r = api.post("/v1/jobs", "{\"task\": \"generate\", \"model\": \"gpt-9\", \"input\": {\"prompt\": \"hi\"}}");

        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.body()).contains("no text model named 'gpt-9'").contains("local-llm");
    }
}
