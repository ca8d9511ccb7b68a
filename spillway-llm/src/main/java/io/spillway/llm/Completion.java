package io.spillway.llm;

/** What a text model answered, with the tokens it counted and the retries it took. */
public record Completion(String text, long inputTokens, long outputTokens, String finishReason, int tries) {
}
