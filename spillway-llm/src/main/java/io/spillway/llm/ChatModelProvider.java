package io.spillway.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.ChatModel;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A provider kept in its own module (Gemini on Vertex AI pulls in about 40 MB of Google client
 * libraries), found with {@link java.util.ServiceLoader}: {@code provider: <name>} in a
 * {@code kind: llm} model.yaml selects it.
 */
public interface ChatModelProvider {

    /** The {@code provider:} value. */
    String name();

    /** The model.yaml keys it reads besides the common ones. */
    Set<String> keys();

    /**
     * Reads its keys from model.yaml, adding a message per problem.
     *
     * @return the options {@link #create} gets
     */
    Map<String, String> options(JsonNode yaml, List<String> problems);

    /** The base URL to show in logs and errors when model.yaml gives none. */
    String defaultBaseUrl(Map<String, String> options);

    /**
     * A langchain4j chat model for the spec, without retries of its own, configured with these
     * generation parameters (null: the provider's default), for providers whose langchain4j model
     * takes them at construction rather than per request. Called once per distinct pair; cheap
     * after the first call for a spec.
     */
    ChatModel create(LlmSpec spec, Integer maxTokens, Double temperature);

    /** The HTTP status a failure stands for, or -1 when it is not one this provider knows. */
    default int statusOf(Throwable failure) {
        return -1;
    }
}
