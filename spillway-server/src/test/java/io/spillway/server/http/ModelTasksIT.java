package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.onnx.ModelRepositoryException;
import io.spillway.onnx.testing.TinyClassifier;
import io.spillway.server.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in model tasks and a repository model, over HTTP, as a user runs them. */
class ModelTasksIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer api;

    @BeforeAll
    static void start(@TempDir Path dir) throws IOException {
        var models = dir.resolve("models");
        TinyClassifier.write(models, "tiny-intent", List.of("billing", "outage"),
                List.of(List.of("invoice", "charged", "refund"), List.of("down", "offline", "error")),
                "max_batch: 4\nprice_per_compute_second: 2.0\n");
        api = TestServer.start(dir.resolve("data"), Map.of("models_dir", models.toString(), "max_text_chars", "500",
                "builtin_price_per_compute_second", "1.5"), List.of());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode run(String body) {
        var job = api.awaitJob(api.submit(body));
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("completed");
        return job.get("result");
    }

    private static void assertProblem(HttpResponse<String> r, int status, String detail) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(r.body()).contains(detail);
    }

    @Test
    void classify_zeroShotAndWithARepositoryModel() {
        var zero = run("{\"task\": \"classify\", \"input\": {\"text\": \"The website is down and shows an error\", "
                + "\"labels\": [\"outage\", \"billing\", \"praise\"]}}");
        assertThat(zero.get("labels").get(0).get("label").asText()).isEqualTo("outage");
        assertThat(zero.get("usage").get("model").asText()).isEqualTo("all-minilm-l6-v2-q");

        var tiny = run("{\"task\": \"classify\", \"input\": {\"text\": \"I was charged twice, refund please\", "
                + "\"model\": \"tiny-intent\"}}");
        assertThat(tiny.get("labels").get(0).get("label").asText()).isEqualTo("billing");
        assertThat(tiny.get("usage").get("model").asText()).isEqualTo("tiny-intent");
        assertThat(tiny.at("/usage/cost").asDouble())
                .isCloseTo(tiny.at("/usage/compute_ms").asLong() / 1000.0 * 2.0, Assertions.within(1e-7));
    }

    @Test
    void sentimentAndSummarize_runOnTheBuiltInModel() {
        var s = run("{\"task\": \"sentiment\", \"input\": {\"text\": \"The support team was wonderful and fixed it fast.\"}}");
        assertThat(s.get("label").asText()).isEqualTo("positive");
        assertThat(s.get("score").asDouble()).isBetween(0.34, 1.0);
        assertThat(s.at("/usage/cost").asDouble())
                .isCloseTo(s.at("/usage/compute_ms").asLong() / 1000.0 * 1.5, Assertions.within(1e-7));

        var text = "Solar power capacity doubled this year. Panels got cheaper and more efficient. "
                + "Governments expanded solar subsidies. My neighbour painted his fence. Solar now supplies a tenth of power.";
        var sum = run("{\"task\": \"summarize\", \"input\": {\"text\": \"" + text + "\", \"max_sentences\": 2}}");
        assertThat(sum.get("summary").asText()).contains("olar").doesNotContain("fence");
    }

    @Test
    void badInput_getsA422ThatSaysWhy() {
        assertProblem(api.post("/v1/jobs", "{\"task\": \"classify\", \"input\": {\"text\": \"hi\"}}"), 422,
                "'labels' is required");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"classify\", \"input\": {\"text\": \"hi\", \"model\": \"nope\"}}"),
                422, "no model named 'nope'");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"embed\", \"input\": {\"texts\": [\"a\"], \"model\": \"tiny-intent\"}}"),
                422, "needs an embedding model");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"classify\", \"input\": {\"text\": \"" + "x".repeat(501)
                + "\", \"labels\": [\"a\", \"b\"]}}"), 422, "at most 500");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"summarize\", \"input\": {}}"), 422, "'text' is required");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"sentiment\", \"input\": {\"text\": 5}}"), 422, "non-empty string");
    }

    @Test
    void modelRunners_reportBatchesInMetrics() {
        run("{\"task\": \"classify\", \"input\": {\"text\": \"server offline\", \"model\": \"tiny-intent\"}}");

        var metrics = api.get("/metrics").body();
        assertThat(metrics).contains("spillway_model_batch_size_texts_count{model=\"tiny-intent\"}");
        assertThat(metrics).contains("spillway_model_queue_wait_seconds_count{model=\"tiny-intent\"}");
        assertThat(metrics).contains("spillway_model_run_seconds_count{model=\"tiny-intent\"}");
    }

    @Test
    void anInvalidRepository_stopsTheStartNamingTheProblem(@TempDir Path dir) throws IOException {
        var bad = Files.createDirectories(dir.resolve("models/broken"));
        Files.writeString(bad.resolve("model.yaml"), "kind: text-classification\n");

        assertThatThrownBy(() -> TestServer.start(dir.resolve("data"), Map.of("models_dir", dir.resolve("models").toString()),
                List.of())).isInstanceOf(ModelRepositoryException.class).hasMessageContaining("broken")
                .hasMessageContaining("model.onnx is missing");
    }
}
