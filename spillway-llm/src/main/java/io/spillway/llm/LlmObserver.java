package io.spillway.llm;

/** Sees remote model calls, for metrics. Must be quick; called on the calling (virtual) thread. */
public interface LlmObserver {
    LlmObserver NONE = new LlmObserver() {
    };

    /**
     * One call to a provider ended.
     *
     * @param outcome {@code ok}, {@code rate_limited}, {@code server_error}, {@code timeout_or_connection},
     *                {@code refused}, {@code bad_answer} or {@code circuit_open}
     */
    default void called(String model, String outcome, long nanos) {
    }

    /** A completion's tokens and cost. */
    default void used(String model, long inputTokens, long outputTokens, double cost) {
    }
}
