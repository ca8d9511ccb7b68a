package io.spillway.core.engine;

import java.time.Duration;

/**
 * A job refused at submit because the work ahead of it, at the rate its task drains, takes
 * longer than it may wait: than the time to its deadline, or than its priority's queue limit.
 * Nothing was recorded. The message says which, with the estimate.
 */
public final class AdmissionRefusedException extends RuntimeException {
    private final Duration retryAfter;

    AdmissionRefusedException(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** When the backlog ahead may have drained enough (at least a second). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
