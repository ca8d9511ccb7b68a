package io.spillway.llm.vertex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.llm.FakeProvider;
import io.spillway.llm.LlmException;
import io.spillway.llm.LlmRepository;
import io.spillway.llm.RemoteModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gemini on Vertex AI through langchain4j and Google's client, against a local stand-in of Vertex AI's REST API. */
class VertexProviderIT {
    static final ObjectMapper JSON = new ObjectMapper();
    FakeProvider fake;
    @TempDir
    Path models;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeProvider();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    static FakeProvider.Answer gemini(String text, int in, int out) {
        return new FakeProvider.Answer(200, Map.of(), """
                {"candidates": [{"content": {"role": "model", "parts": [{"text": "%s"}]}, "finishReason": "STOP"}],
                 "usageMetadata": {"promptTokenCount": %d, "candidatesTokenCount": %d, "totalTokenCount": %d}}
                """.formatted(text, in, out, in + out), 0);
    }

    RemoteModel model() throws Exception {
        var dir = Files.createDirectories(models.resolve("gemini"));
        Files.writeString(dir.resolve("model.yaml"), "kind: llm\nprovider: vertex\nproject: demo-project\nlocation: europe-west4\n"
                + "model: gemini-2.0-flash\napi_endpoint: " + fake.baseUrl().replace("/v1", "") + "\nmax_attempts: 2\n"
                + "price_per_1k_input: 0.0001\nprice_per_1k_output: 0.0004\n");
        var spec = LlmRepository.load(models, Map.of()).getFirst();
        return new RemoteModel(spec, Map.of());
    }

    @Test
    void aCompletion_goesToTheProjectsModelWithUsage() throws Exception {
        fake.always(gemini("Bonjour.", 11, 2));

        var c = model().complete("Answer in French.", "Say hello", 20, 0.3);

        assertThat(c.text()).isEqualTo("Bonjour.");
        assertThat(c.inputTokens()).isEqualTo(11);
        assertThat(c.outputTokens()).isEqualTo(2);
        var got = fake.received.getFirst();
        assertThat(got.path()).isEqualTo(
                "/v1/projects/demo-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:generateContent");
        var body = JSON.readTree(got.body());
        assertThat(body.toString()).contains("Say hello").contains("Answer in French.");
        assertThat(body.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(20);
    }

    @Test
    void serverErrorsRetry_andRefusalsFailForGood() throws Exception {
        fake.then(FakeProvider.status(503, "{\"error\": {\"code\": 503, \"message\": \"busy\", \"status\": \"UNAVAILABLE\"}}",
                Map.of())).then(gemini("ok", 1, 1));
        var m = model();
        assertThat(m.complete(null, "hi", null, null).tries()).isEqualTo(2);

        fake.always(FakeProvider.status(403, "{\"error\": {\"code\": 403, \"message\": \"denied\", \"status\": \"PERMISSION_DENIED\"}}",
                Map.of()));
        assertThatThrownBy(() -> m.complete(null, "hi", null, null))
                .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("model gemini (gemini-2.0-flash at 127.0.0.1)").hasMessageContaining("403");
    }

    @Test
    void projectAndLocation_areRequired() throws Exception {
        var dir = Files.createDirectories(models.resolve("bad"));
        Files.writeString(dir.resolve("model.yaml"), "kind: llm\nprovider: vertex\nmodel: gemini-2.0-flash\n");

        assertThatThrownBy(() -> LlmRepository.load(models, Map.of())).hasMessageContaining("'project' is required")
                .hasMessageContaining("'location' is required");
    }
}
