package io.spillway.core.engine;

import java.time.Duration;
import java.util.Optional;

/**
 * A job refused at submit, nothing of it recorded: the work ahead of it, at the rate its task
 * drains, takes longer than it may wait (than the time to its deadline, or than its priority's
 * queue limit), or its tenant is at a limit. The message says which, with the estimate or the
 * limit's value.
 */
public final class AdmissionRefusedException extends RuntimeException {
    private final Duration retryAfter;
    private final Quota quota;

    /**
     * A limit a refusal names, as the {@code RateLimit-Policy} header of the IETF draft gives it.
     *
     * @param name          the policy's name ({@code pending})
     * @param limit         its quota
     * @param windowSeconds the window it is counted over, or 0 for a count that holds at any time
     */
    public record Quota(String name, long limit, long windowSeconds) {
    }

    AdmissionRefusedException(String message, Duration retryAfter) {
        this(message, retryAfter, null);
    }

    public AdmissionRefusedException(String message, Duration retryAfter, Quota quota) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
        this.quota = quota;
    }

    /** When the backlog ahead may have drained enough (at least a second). */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The limit that was hit, when a limit refused it. */
    public Optional<Quota> quota() {
        return Optional.ofNullable(quota);
    }
}
