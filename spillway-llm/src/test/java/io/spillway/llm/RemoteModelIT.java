package io.spillway.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real provider client (langchain4j's OpenAI module) against a local fake of the wire protocol. */
class RemoteModelIT {
    static final String KEY = "sk-test-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();
    FakeProvider fake;
    final List<Duration> slept = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeProvider();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    LlmSpec spec(int maxAttempts, int concurrency) {
        return new LlmSpec("fast", "openai", fake.baseUrl(), "fake-1", "TEST_KEY", Duration.ofSeconds(5), concurrency,
                maxAttempts, 0.5, 1.5, 10_000);
    }

    RemoteModel model(LlmSpec spec) {
        return new RemoteModel(spec, Map.of("TEST_KEY", KEY), InstantSource.system(), slept::add);
    }

    @Test
    void aCompletion_carriesTextTokensAndWhatWasAsked() throws Exception {
        var c = model(spec(3, 4)).complete("Be brief.", "Say hello", 50, 0.2);

        assertThat(c.text()).isEqualTo("Hello from the fake model.");
        assertThat(c.inputTokens()).isEqualTo(12);
        assertThat(c.outputTokens()).isEqualTo(7);
        assertThat(c.finishReason()).isEqualTo("stop");
        assertThat(slept).as("no waiting without a reason").isEmpty();
        var got = fake.received.getFirst();
        assertThat(got.path()).isEqualTo("/v1/chat/completions");
        assertThat(got.authorization()).isEqualTo("Bearer " + KEY);
        var body = JSON.readTree(got.body());
        assertThat(body.get("model").asText()).isEqualTo("fake-1");
        assertThat(body.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(body.at("/messages/1/content").asText()).isEqualTo("Say hello");
        assertThat(body.toString()).contains("50").contains("0.2");
    }

    @Test
    void ollamasOwnApi_isSpokenToo() throws Exception {
        fake.always(FakeProvider.ollamaOk("Hi there.", 9, 3));
        var spec = new LlmSpec("local", "ollama", fake.baseUrl().replace("/v1", ""), "llama3.2", null, Duration.ofSeconds(5),
                2, 2, 0, 0, 10_000);

        var c = model(spec).complete("Be brief.", "Say hi", 20, 0.1);

        assertThat(c.text()).isEqualTo("Hi there.");
        assertThat(c.inputTokens()).isEqualTo(9);
        assertThat(c.outputTokens()).isEqualTo(3);
        var got = fake.received.getFirst();
        assertThat(got.path()).isEqualTo("/api/chat");
        var body = JSON.readTree(got.body());
        assertThat(body.get("model").asText()).isEqualTo("llama3.2");
        assertThat(body.get("stream").asBoolean()).isFalse();
        assertThat(body.at("/messages/1/content").asText()).isEqualTo("Say hi");

        fake.then(FakeProvider.status(500, "{\"error\": \"model is loading\"}", Map.of()));
        assertThat(model(spec).complete(null, "again", null, null).tries()).isEqualTo(2);

        fake.always(FakeProvider.status(404, "{\"error\": \"model 'llama9' not found\"}", Map.of()));
        assertThatThrownBy(() -> model(spec).complete(null, "x", null, null))
                .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("model local (llama3.2 at 127.0.0.1): model or endpoint not found (404)");
    }

    @Test
    void a429_isRetriedAfterItsRetryAfter() throws Exception {
        fake.then(FakeProvider.status(429, "{\"error\": {\"message\": \"slow down\"}}", Map.of("Retry-After", "2")));

        var c = model(spec(3, 4)).complete(null, "hi", null, null);

        assertThat(c.tries()).isEqualTo(2);
        assertThat(slept).anyMatch(d -> d.compareTo(Duration.ofMillis(1900)) >= 0);
    }

    @Test
    void serverErrors_areRetriedWithBackoffThenGivenUpAsRetryable() throws Exception {
        fake.then(FakeProvider.status(500, "oops", Map.of())).then(FakeProvider.status(503, "busy", Map.of()));
        assertThat(model(spec(3, 4)).complete(null, "hi", null, null).tries()).isEqualTo(3);

        fake.always(FakeProvider.status(502, "bad gateway", Map.of()));
        assertThatThrownBy(() -> model(spec(2, 4)).complete(null, "hi", null, null))
                .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.retryable()).isTrue())
                .hasMessageContaining("model fast (fake-1 at 127.0.0.1): server error 502");
    }

    @Test
    void garbage_failsForGoodNamingTheProvider() {
        fake.always(FakeProvider.status(200, "<html>not json</html>", Map.of()));

        assertThatThrownBy(() -> model(spec(3, 4)).complete(null, "hi", null, null))
                .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("model fast").hasMessageContaining("not a chat completion");
        assertThat(fake.received).hasSize(1);
    }

    @Test
    void aRefusedKey_failsForGoodAndTheKeyNeverAppears() {
        fake.always(FakeProvider.status(401, "{\"error\": {\"message\": \"Incorrect API key provided: " + KEY + "\"}}", Map.of()));

        assertThatThrownBy(() -> model(spec(3, 4)).complete(null, "hi", null, null))
                .isInstanceOfSatisfying(LlmException.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("API key was refused").contains("TEST_KEY").doesNotContain(KEY);
                });
    }

    @Test
    void aSlowProvider_timesOutAndIsRetryable() {
        var spec = spec(1, 4).withTimeout(Duration.ofMillis(300));
        fake.always(FakeProvider.slow(3_000));

        assertThatThrownBy(() -> model(spec).complete(null, "hi", null, null))
                .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void concurrency_isLimitedPerModel() throws Exception {
        fake.always(FakeProvider.slow(150));
        var m = model(spec(1, 2));
        callAtOnce(m, 8, 1);
        assertThat(fake.maxActive.get()).isEqualTo(2);
    }

    @Test
    void theCallLimit_fallsOn429s_keepsCallsBelowTheCeiling_andClimbsBackUnderLoad() throws Exception {
        var m = model(spec(1, 8));
        for (int i = 0; i < 3; i++) {
            fake.then(FakeProvider.status(429, "{}", Map.of("Retry-After", "1")));
        }
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> m.complete(null, "hi", null, null)).hasMessageContaining("429");
        }
        assertThat(m.concurrencyLimit()).as("8, less a quarter three times").isEqualTo(3);
        fake.always(FakeProvider.slow(40));

        callAtOnce(m, 8, 1);
        assertThat(fake.maxActive.get()).as("eight callers, fewer calls at once").isLessThan(8);
        callAtOnce(m, 8, 10);

        assertThat(m.concurrencyLimit()).as("back at max_concurrency").isEqualTo(8);
        assertThat(fake.maxActive.get()).isLessThanOrEqualTo(8);
    }

    private static void callAtOnce(RemoteModel m, int callers, int callsEach) throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var calls = new ArrayList<Future<?>>();
            for (int i = 0; i < callers; i++) {
                calls.add(pool.submit(() -> {
                    for (int k = 0; k < callsEach; k++) {
                        m.complete(null, "hi", null, null);
                    }
                    return null;
                }));
            }
            for (var c : calls) {
                c.get();
            }
        }
    }

    @Test
    void theCircuitOpensAfterRepeatedFailuresAndSpareTheProvider() {
        fake.always(FakeProvider.status(500, "down", Map.of()));
        var m = model(spec(1, 4));
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> m.complete(null, "hi", null, null)).isInstanceOf(LlmException.class);
        }
        int before = fake.received.size();

        assertThatThrownBy(() -> m.complete(null, "hi", null, null)).hasMessageContaining("circuit open")
                .isInstanceOfSatisfying(LlmException.class, e -> assertThat(e.retryAfter()).isPositive());
        assertThat(fake.received).hasSize(before);
        assertThat(m.circuitOpen()).isTrue();
    }

    @Test
    void rateLimits_doNotOpenTheCircuit() throws Exception {
        var m = model(spec(1, 4));
        for (int i = 0; i < 6; i++) {
            fake.then(FakeProvider.status(429, "{}", Map.of("Retry-After", "1")));
        }
        for (int i = 0; i < 6; i++) {
            assertThatThrownBy(() -> m.complete(null, "hi", null, null)).hasMessageContaining("429");
        }

        assertThat(m.circuitOpen()).isFalse();
        assertThat(m.complete(null, "hi", null, null).text()).isNotEmpty();
    }

    @Test
    void a429_slowsDownTheOtherCallersOfTheModel() throws Exception {
        var m = model(spec(1, 4));
        fake.then(FakeProvider.status(429, "{}", Map.of("Retry-After", "1")));
        assertThatThrownBy(() -> m.complete(null, "first", null, null)).isInstanceOf(LlmException.class);

        m.complete(null, "second", null, null);

        assertThat(slept).as("the second call waited out the pause").anyMatch(d -> d.toMillis() > 500);
    }
}
