package io.spillway.llm;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A remote text model as configured. The API key is never held here, only the name of the
 * environment variable it is read from, so a spec can be logged and shown.
 *
 * @param name             what jobs name in {@code "model"}
 * @param provider         {@code openai}: any OpenAI-compatible chat completions endpoint
 * @param baseUrl          e.g. {@code https://api.openai.com/v1}
 * @param model            the provider's model name
 * @param apiKeyEnv        environment variable holding the key; null when the endpoint needs none
 * @param timeout          longest one call may take
 * @param maxConcurrency   calls in flight at once from this process
 * @param maxAttempts      tries per job attempt (429, 5xx, timeouts and connection errors retry)
 * @param inputPricePer1k  price per 1,000 input tokens
 * @param outputPricePer1k price per 1,000 output tokens
 * @param maxPromptChars   longest prompt (system + prompt) accepted at submit
 * @param fallback         models to try, in order, when this one fails with a provider error
 * @param latencyHint      expected call latency before any is measured (for interactive routing); null if unknown
 * @param options          provider-specific settings (Vertex AI's project and location)
 */
public record LlmSpec(String name, String provider, String baseUrl, String model, String apiKeyEnv, Duration timeout,
                      int maxConcurrency, int maxAttempts, double inputPricePer1k, double outputPricePer1k,
                      int maxPromptChars, List<String> fallback, Duration latencyHint,
                      Map<String, String> options) {

    /** Without fallbacks or a latency hint. */
    public LlmSpec(String name, String provider, String baseUrl, String model, String apiKeyEnv, Duration timeout,
                   int maxConcurrency, int maxAttempts, double inputPricePer1k, double outputPricePer1k, int maxPromptChars) {
        this(name, provider, baseUrl, model, apiKeyEnv, timeout, maxConcurrency, maxAttempts, inputPricePer1k,
                outputPricePer1k, maxPromptChars, List.of(), null, Map.of());
    }

    /** Without provider options. */
    public LlmSpec(String name, String provider, String baseUrl, String model, String apiKeyEnv, Duration timeout,
                   int maxConcurrency, int maxAttempts, double inputPricePer1k, double outputPricePer1k, int maxPromptChars,
                   List<String> fallback, Duration latencyHint) {
        this(name, provider, baseUrl, model, apiKeyEnv, timeout, maxConcurrency, maxAttempts, inputPricePer1k,
                outputPricePer1k, maxPromptChars, fallback, latencyHint, Map.of());
    }

    public LlmSpec {
        fallback = List.copyOf(fallback);
        options = Map.copyOf(options);
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(model, "model");
        if (maxConcurrency < 1 || maxAttempts < 1 || maxPromptChars < 1 || inputPricePer1k < 0 || outputPricePer1k < 0) {
            throw new IllegalArgumentException("limits must be positive and prices not negative");
        }
    }

    /** The price of 1,000 input and 1,000 output tokens, for ranking by cost. */
    public double price() {
        return inputPricePer1k + outputPricePer1k;
    }

    /** The cost of a call. */
    public double cost(long inputTokens, long outputTokens) {
        return inputTokens / 1000.0 * inputPricePer1k + outputTokens / 1000.0 * outputPricePer1k;
    }

    public LlmSpec withTimeout(Duration t) {
        return new LlmSpec(name, provider, baseUrl, model, apiKeyEnv, t, maxConcurrency, maxAttempts, inputPricePer1k,
                outputPricePer1k, maxPromptChars, fallback, latencyHint, options);
    }
}
