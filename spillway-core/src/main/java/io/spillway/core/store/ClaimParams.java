package io.spillway.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Claim up to {@code limit} runnable jobs (pending, {@code runAt <= now}, deadline not passed,
 * an attempt left), best priority first, then oldest {@code runAt}: each becomes processing with
 * attempt + 1 and a lease until {@code leaseUntil}, owned by {@code worker}. No claim makes a job's
 * attempt exceed its {@code maxAttempts}.
 */
public record ClaimParams(int limit, Instant now, Instant leaseUntil, String worker) implements Params {
    public ClaimParams {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(worker, "worker");
    }
}
