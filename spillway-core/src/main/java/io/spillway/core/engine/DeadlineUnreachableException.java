package io.spillway.core.engine;

import java.time.Duration;

/**
 * A job refused at submit because its deadline cannot be met: the work ahead of it, at the rate
 * its task drains, takes longer than the time it has. Nothing was recorded.
 */
public final class DeadlineUnreachableException extends RuntimeException {
    private final Duration retryAfter;

    DeadlineUnreachableException(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** When the backlog ahead may have drained enough (at least a second). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
