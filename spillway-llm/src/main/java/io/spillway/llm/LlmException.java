package io.spillway.llm;

import java.time.Duration;

/**
 * A remote call that did not give a completion. The message names the model and provider and
 * the cause, and never holds an API key.
 *
 * @see #retryable()
 */
public final class LlmException extends Exception {
    private final boolean retryable;
    private final Duration retryAfter;

    LlmException(String message, boolean retryable, Duration retryAfter) {
        super(message, null, false, false);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** Whether a later attempt may succeed (rate limits, server errors, timeouts, an open circuit). */
    public boolean retryable() {
        return retryable;
    }

    /** When to try again, if the provider or the circuit breaker said; else null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
