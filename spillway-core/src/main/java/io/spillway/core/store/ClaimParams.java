package io.spillway.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Claim up to {@code limit} runnable jobs (pending, {@code runAt <= now}, deadline not passed,
 * an attempt left) of {@code task} (null: of any task), in ascending queue key order (the keys
 * given at insert, see {@link InsertParams}): each becomes processing with attempt + 1 and a lease until {@code leaseUntil},
 * owned by {@code worker}. No claim makes a job's attempt exceed its {@code maxAttempts}.
 */
public record ClaimParams(int limit, Instant now, Instant leaseUntil, String worker, String task) implements Params {
    public ClaimParams {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(worker, "worker");
    }

    /** A claim of jobs of any task. */
    public ClaimParams(int limit, Instant now, Instant leaseUntil, String worker) {
        this(limit, now, leaseUntil, worker, null);
    }

    /** The same claim, of {@code task}'s jobs only. */
    public ClaimParams ofTask(String t) {
        return new ClaimParams(limit, now, leaseUntil, worker, t);
    }
}
