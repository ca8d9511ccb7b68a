package io.spillway.llm;

import java.time.Duration;
import java.util.Locale;

/**
 * A remote call that did not give a completion. The message names the model and provider and
 * the cause, and never holds an API key.
 *
 * @see #retryable()
 */
public final class LlmException extends Exception {
    /** What went wrong; also the {@code outcome} label of the call metrics. */
    public enum Kind {
        RATE_LIMITED(true), SERVER_ERROR(true), TIMEOUT_OR_CONNECTION(true), CIRCUIT_OPEN(true), REFUSED(false),
        BAD_ANSWER(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Kind kind;
    private final Duration retryAfter;
    private final boolean called;

    LlmException(String message, Kind kind, Duration retryAfter) {
        this(message, kind, retryAfter, true);
    }

    /** @param called whether the provider was called at all before this failure */
    LlmException(String message, Kind kind, Duration retryAfter, boolean called) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
        this.called = called;
    }

    /**
     * Whether the provider was called before this failure; false when the call was never made
     * (the circuit was open, the provider had asked for a pause), so a job spent nothing on it.
     */
    public boolean called() {
        return called;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether a later attempt may succeed (rate limits, server errors, timeouts, an open circuit). */
    public boolean retryable() {
        return kind.retryable;
    }

    /** When to try again, if the provider or the circuit breaker said; else null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
