package io.spillway.llm.vertex;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.ApiException;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.vertexai.Transport;
import com.google.cloud.vertexai.VertexAI;
import com.google.cloud.vertexai.api.GenerationConfig;
import com.google.cloud.vertexai.api.PredictionServiceClient;
import com.google.cloud.vertexai.api.PredictionServiceSettings;
import com.google.cloud.vertexai.generativeai.GenerativeModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.vertexai.gemini.VertexAiGeminiChatModel;
import io.spillway.llm.ChatModelProvider;
import io.spillway.llm.LlmSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.threeten.bp.Duration;

/**
 * {@code provider: vertex}: Gemini on Vertex AI through langchain4j, over Vertex AI's REST API.
 * Credentials the usual Google way (Application Default Credentials: {@code
 * GOOGLE_APPLICATION_CREDENTIALS}, gcloud's login, or the metadata server). {@code project} and
 * {@code location} are required; {@code api_endpoint} points at another host (a private endpoint,
 * or an {@code http://} stand-in, which is then called without credentials). The Google client's
 * own retries are off: {@code RemoteModel} retries.
 */
public final class VertexProvider implements ChatModelProvider {

    @Override
    public String name() {
        return "vertex";
    }

    @Override
    public Set<String> keys() {
        return Set.of("project", "location", "api_endpoint");
    }

    @Override
    public Map<String, String> options(JsonNode yaml, List<String> problems) {
        var out = new LinkedHashMap<String, String>();
        for (var key : List.of("project", "location")) {
            var v = yaml.path(key).asText("");
            if (v.isBlank()) {
                problems.add("'" + key + "' is required for provider vertex");
            }
            out.put(key, v);
        }
        if (yaml.hasNonNull("api_endpoint")) {
            out.put("api_endpoint", yaml.get("api_endpoint").asText());
        }
        return out;
    }

    @Override
    public String defaultBaseUrl(Map<String, String> options) {
        var endpoint = options.get("api_endpoint");
        if (endpoint != null) {
            return endpoint.contains("://") ? endpoint : "https://" + endpoint;
        }
        return "https://" + options.getOrDefault("location", "us-central1") + "-aiplatform.googleapis.com";
    }

    /** One Vertex AI client per model spec; models per generation parameters share it. */
    private final Map<LlmSpec, VertexAI> clients = new ConcurrentHashMap<>();

    @Override
    @SuppressWarnings("deprecation") // Google deprecated its Vertex AI SDK's GenerativeModel; langchain4j's Vertex module is built on it
    public ChatModel create(LlmSpec spec, Integer maxTokens, Double temperature) {
        var vertex = clients.computeIfAbsent(spec, VertexProvider::vertex);
        var config = GenerationConfig.newBuilder();
        if (maxTokens != null) {
            config.setMaxOutputTokens(maxTokens);
        }
        if (temperature != null) {
            config.setTemperature(temperature.floatValue());
        }
        return new VertexAiGeminiChatModel(new GenerativeModel(spec.model(), vertex), config.build(), 0);
    }

    private static VertexAI vertex(LlmSpec spec) {
        var options = spec.options();
        var endpoint = options.get("api_endpoint");
        boolean local = endpoint != null && endpoint.startsWith("http://");
        var builder = new VertexAI.Builder().setProjectId(options.get("project")).setLocation(options.get("location"))
                .setTransport(Transport.REST);
        if (endpoint != null) {
            builder.setApiEndpoint(endpoint);
        }
        builder.setPredictionClientSupplier(() -> client(spec, endpoint, local));
        if (local) {
            // a local stand-in takes no credentials; this keeps the client from looking for Google's
            builder.setCredentials(GoogleCredentials.create(new AccessToken("none", new Date(Long.MAX_VALUE))));
        }
        return builder.build();
    }

    private static PredictionServiceClient client(LlmSpec spec, String endpoint, boolean local) {
        try {
            var settings = PredictionServiceSettings.newHttpJsonBuilder();
            if (endpoint != null) {
                settings.setEndpoint(endpoint);
            } else {
                settings.setEndpoint(spec.options().get("location") + "-aiplatform.googleapis.com:443");
            }
            if (local) {
                settings.setCredentialsProvider(NoCredentialsProvider.create());
            }
            var timeout = Duration.ofMillis(spec.timeout().toMillis());
            settings.generateContentSettings().setRetrySettings(RetrySettings.newBuilder().setMaxAttempts(1)
                    .setTotalTimeout(timeout).setInitialRpcTimeout(timeout).setMaxRpcTimeout(timeout).build());
            return PredictionServiceClient.create(settings.build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Vertex AI client: " + e.getMessage(), e);
        }
    }

    @Override
    public int statusOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                var transport = api.getStatusCode().getTransportCode();
                if (transport instanceof Integer http) {
                    return http;
                }
                return switch (api.getStatusCode().getCode()) {
                    case RESOURCE_EXHAUSTED -> 429;
                    case UNAVAILABLE -> 503;
                    case INTERNAL, UNKNOWN -> 500;
                    case DEADLINE_EXCEEDED -> 408;
                    case UNAUTHENTICATED -> 401;
                    case PERMISSION_DENIED -> 403;
                    case NOT_FOUND -> 404;
                    default -> 400;
                };
            }
        }
        return -1;
    }
}
