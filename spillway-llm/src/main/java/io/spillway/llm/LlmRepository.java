package io.spillway.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Remote text models: the model repository's directories whose {@code model.yaml} says
 * {@code kind: llm}, and, as the OpenAI SDKs do it, one from the environment when
 * {@code OPENAI_API_KEY} is set (with optional {@code OPENAI_BASE_URL} and
 * {@code SPILLWAY_OPENAI_MODEL}).
 *
 * <pre>
 * kind: llm
 * provider: openai                 # any OpenAI-compatible endpoint: OpenAI, vLLM, llama.cpp, LM Studio, Ollama's /v1;
 *                                  # or ollama: Ollama's own API (base_url defaults to http://127.0.0.1:11434)
 * base_url: http://127.0.0.1:8000/v1
 * model: meta-llama/Llama-3.1-8B-Instruct
 * api_key_env: VLLM_API_KEY        # optional: the variable holding the key
 * timeout_seconds: 60              # optional
 * max_concurrency: 8               # optional: calls at once from this process
 * max_attempts: 3                  # optional: tries per job attempt
 * price_per_1k_input: 0.00015      # optional, default 0
 * price_per_1k_output: 0.0006      # optional, default 0
 * max_prompt_chars: 100000         # optional
 * fallback: [other-model]          # optional: tried in order when this model's provider fails
 * latency_ms: 800                  # optional: expected latency until measured (interactive routing)
 * </pre>
 */
public final class LlmRepository {
    public static final String ENV_MODEL_NAME = "openai";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> KEYS = Set.of("kind", "provider", "base_url", "model", "api_key_env", "timeout_seconds",
            "max_concurrency", "max_attempts", "price_per_1k_input", "price_per_1k_output", "max_prompt_chars", "description", "fallback",
            "latency_ms");
    /** Published gpt-4o-mini prices (USD per 1k tokens) for the zero-config model; override with a model.yaml. */
    static final double DEFAULT_INPUT_PRICE = 0.00015;
    static final double DEFAULT_OUTPUT_PRICE = 0.0006;

    private LlmRepository() {
    }

    /** Providers of other modules on the class path, by name. */
    static Map<String, ChatModelProvider> providers() {
        var out = new TreeMap<String, ChatModelProvider>();
        ServiceLoader.load(ChatModelProvider.class).forEach(p -> out.put(p.name(), p));
        return out;
    }

    /** Whether a model directory holds a remote model ({@code kind: llm}). */
    public static boolean isRemote(Path modelDir) {
        var yaml = modelDir.resolve("model.yaml");
        try {
            if (!Files.isRegularFile(yaml) || Files.size(yaml) > 64 * 1024) {
                return false;
            }
            var node = YAML.readTree(yaml.toFile());
            return node != null && "llm".equals(node.path("kind").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The remote models of the repository and the environment.
     *
     * @throws LlmConfigException listing every problem
     */
    public static List<LlmSpec> load(Path modelsDir, Map<String, String> env) {
        var out = new ArrayList<LlmSpec>();
        var problems = new ArrayList<String>();
        if (modelsDir != null && Files.isDirectory(modelsDir)) {
            try (Stream<Path> dirs = Files.list(modelsDir)) {
                for (var dir : dirs.filter(Files::isDirectory).filter(LlmRepository::isRemote).sorted().toList()) {
                    try {
                        out.add(read(dir, env));
                    } catch (LlmConfigException e) {
                        problems.add(e.getMessage());
                    }
                }
            } catch (IOException e) {
                throw new LlmConfigException("cannot list " + modelsDir + ": " + e.getMessage());
            }
        }
        var names = out.stream().map(LlmSpec::name).toList();
        for (var spec : out) {
            for (var f : spec.fallback()) {
                if (!names.contains(f) && !f.equals(ENV_MODEL_NAME)) {
                    problems.add(spec.name() + ": fallback names '" + f + "', which is not a remote model");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new LlmConfigException("invalid remote models:\n  - " + String.join("\n  - ", problems));
        }
        var key = env.get("OPENAI_API_KEY");
        if (key != null && !key.isBlank() && out.stream().noneMatch(s -> s.name().equals(ENV_MODEL_NAME))) {
            var base = env.getOrDefault("OPENAI_BASE_URL", "https://api.openai.com/v1");
            var model = env.getOrDefault("SPILLWAY_OPENAI_MODEL", "gpt-4o-mini");
            boolean official = base.startsWith("https://api.openai.com");
            out.add(new LlmSpec(ENV_MODEL_NAME, "openai", base, model, "OPENAI_API_KEY", Duration.ofSeconds(60), 16, 3,
                    official ? DEFAULT_INPUT_PRICE : 0, official ? DEFAULT_OUTPUT_PRICE : 0, 400_000));
        }
        return out;
    }

    static LlmSpec read(Path dir, Map<String, String> env) {
        var name = dir.getFileName().toString();
        var file = dir.resolve("model.yaml");
        JsonNode y;
        try {
            y = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new LlmConfigException(file + ": not valid YAML");
        }
        var problems = new ArrayList<String>();
        var provider = y.path("provider").asText("openai");
        var extra = providers().get(provider);
        var known = new TreeSet<>(KEYS);
        if (extra != null) {
            known.addAll(extra.keys());
        }
        y.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                problems.add("unknown key '" + k + "' (known: " + String.join(", ", known) + ")");
            }
        });
        if (!provider.equals("openai") && !provider.equals("ollama") && extra == null) {
            problems.add("provider must be openai (any OpenAI-compatible endpoint), ollama (Ollama's own API)"
                    + (providers().isEmpty() ? "" : " or " + String.join(", ", providers().keySet()))
                    + ", not '" + provider + "'" + (provider.equals("vertex") ? " (Vertex AI needs the spillway-llm-vertex module)" : ""));
        }
        Map<String, String> options = extra == null ? Map.of() : extra.options(y, problems);
        var baseUrl = y.path("base_url").asText(provider.equals("ollama") ? "http://127.0.0.1:11434"
                : extra != null ? extra.defaultBaseUrl(options) : "");
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            problems.add("'base_url' must be an http(s) URL such as http://127.0.0.1:8000/v1");
        }
        var model = y.path("model").asText("");
        if (model.isBlank()) {
            problems.add("'model' is required: the provider's model name");
        }
        String keyEnv = y.hasNonNull("api_key_env") ? y.get("api_key_env").asText() : null;
        if (keyEnv != null && (env.get(keyEnv) == null || env.get(keyEnv).isBlank())) {
            problems.add("api_key_env names " + keyEnv + ", which is not set in the environment");
        }
        int timeout = intIn(y, "timeout_seconds", 60, 1, 3600, problems);
        int concurrency = intIn(y, "max_concurrency", 8, 1, 10_000, problems);
        int attempts = intIn(y, "max_attempts", 3, 1, 20, problems);
        int maxPrompt = intIn(y, "max_prompt_chars", 100_000, 1, 10_000_000, problems);
        double in = price(y, "price_per_1k_input", problems);
        double outPrice = price(y, "price_per_1k_output", problems);
        var fallback = new ArrayList<String>();
        if (y.has("fallback")) {
            if (!y.get("fallback").isArray()) {
                problems.add("'fallback' must be a list of model names");
            } else {
                y.get("fallback").forEach(f -> fallback.add(f.asText()));
            }
        }
        int latency = intIn(y, "latency_ms", 0, 0, 3_600_000, problems);
        if (!problems.isEmpty()) {
            throw new LlmConfigException(file + ": " + String.join("; ", problems));
        }
        return new LlmSpec(name, provider, baseUrl, model, keyEnv, Duration.ofSeconds(timeout), concurrency, attempts, in,
                outPrice, maxPrompt, fallback, latency == 0 ? null : Duration.ofMillis(latency), options);
    }

    private static int intIn(JsonNode y, String key, int dflt, int min, int max, List<String> problems) {
        var n = y.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
            problems.add("'" + key + "' must be a whole number from " + min + " to " + max);
            return dflt;
        }
        return n.asInt();
    }

    private static double price(JsonNode y, String key, List<String> problems) {
        var n = y.get(key);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isNumber() || n.asDouble() < 0) {
            problems.add("'" + key + "' must be a price, a number not below 0");
            return 0;
        }
        return n.asDouble();
    }
}
