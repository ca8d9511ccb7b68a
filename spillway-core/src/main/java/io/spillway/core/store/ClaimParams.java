package io.spillway.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Claim up to {@code limit} runnable jobs (pending, {@code runAt <= now}, deadline not passed,
 * an attempt left) of {@code task} (null: of any task), in ascending queue key order (the keys
 * given at insert, see {@link InsertParams}): each becomes processing with attempt + 1 and a lease
 * until {@code leaseUntil}, owned by {@code worker}. No claim makes a job's attempt exceed its
 * {@code maxAttempts}. With {@code maxRunningPerTenant} above 0 (only for one task's claim), no
 * claim makes a tenant's processing jobs (of every task, in every process) exceed it: a tenant at
 * its cap is skipped.
 */
public record ClaimParams(int limit, Instant now, Instant leaseUntil, String worker, String task, int maxRunningPerTenant)
        implements Params {
    public ClaimParams {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        if (maxRunningPerTenant < 0) {
            throw new IllegalArgumentException("maxRunningPerTenant must be >= 0, was " + maxRunningPerTenant);
        }
        if (maxRunningPerTenant > 0 && task == null) {
            throw new IllegalArgumentException("a claim holding tenants to a cap claims one task's jobs");
        }
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(worker, "worker");
    }

    /** A claim of jobs of any task, without a tenant cap. */
    public ClaimParams(int limit, Instant now, Instant leaseUntil, String worker) {
        this(limit, now, leaseUntil, worker, null, 0);
    }

    /** The same claim, of {@code task}'s jobs only. */
    public ClaimParams ofTask(String t) {
        return new ClaimParams(limit, now, leaseUntil, worker, t, maxRunningPerTenant);
    }

    /** The same claim, holding each tenant to {@code n} processing jobs (0: no cap). */
    public ClaimParams withTenantCap(int n) {
        return new ClaimParams(limit, now, leaseUntil, worker, task, n);
    }
}
