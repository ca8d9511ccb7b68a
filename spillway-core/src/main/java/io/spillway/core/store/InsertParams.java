package io.spillway.core.store;

import io.spillway.core.NewJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Jobs to insert in one transaction, as {@code pending}, runnable at {@code now}, each with its
 * queue key: claims take runnable jobs of a task in ascending key order (the engine's
 * scheduler decides the keys; see {@code QueueOrder}).
 *
 * @param maxPendingPerTenant when above 0, a job whose tenant has that many pending jobs (counted
 *                            in the same transaction, so every process sharing the store holds the
 *                            total) is refused ({@link InsertResult#refusedPending}); a repeated
 *                            idempotency key still resolves to its job
 * @param budgets             tenants' budgets: a job whose {@link NewJob#reservation()}, with what
 *                            its tenant's pending and running jobs reserve and what its jobs of the
 *                            period cost ({@link UsageRow}), would go over its tenant's budget is
 *                            refused ({@link InsertResult.BudgetSpent}), counted in the same
 *                            transaction
 */
public record InsertParams(List<NewJob> jobs, Instant now, List<Long> queueKeys, int maxPendingPerTenant,
                           Budgets budgets) implements Params {
    /**
     * The gap between priority classes in the default keys, which are times in microseconds: a
     * minute. Keys without a scheduler (tests of a store, rows from before queue keys, a JDBC
     * writer before any scheduler published a front) take this scale; the engine's keys count
     * work instead, and it takes its place from the store's keys when it first sees them.
     */
    public static final long DEFAULT_CLASS_GAP_MICROS = 60_000_000L;

    public InsertParams {
        jobs = List.copyOf(jobs);
        Objects.requireNonNull(now, "now");
        queueKeys = List.copyOf(queueKeys);
        if (queueKeys.size() != jobs.size()) {
            throw new IllegalArgumentException(jobs.size() + " jobs but " + queueKeys.size() + " queue keys");
        }
        if (maxPendingPerTenant < 0) {
            throw new IllegalArgumentException("maxPendingPerTenant must be >= 0, was " + maxPendingPerTenant);
        }
        Objects.requireNonNull(budgets, "budgets");
    }

    /** With these keys and no limits. */
    public InsertParams(List<NewJob> jobs, Instant now, List<Long> queueKeys) {
        this(jobs, now, queueKeys, 0, Budgets.NONE);
    }

    /** These jobs under a cap of pending jobs per tenant. */
    public InsertParams withMaxPendingPerTenant(int cap) {
        return new InsertParams(jobs, now, queueKeys, cap, budgets);
    }

    /** These jobs under these budgets. */
    public InsertParams withBudgets(Budgets b) {
        return new InsertParams(jobs, now, queueKeys, maxPendingPerTenant, b);
    }

    /** Whether a limit is to be checked in the insert's transaction ({@link InsertLimits}). */
    public boolean limited() {
        return maxPendingPerTenant > 0 || !budgets.isEmpty();
    }

    /** The jobs at these indexes, with their keys, under the same limits. */
    public InsertParams only(List<Integer> indexes) {
        var someJobs = new ArrayList<NewJob>(indexes.size());
        var someKeys = new ArrayList<Long>(indexes.size());
        for (int i : indexes) {
            someJobs.add(jobs.get(i));
            someKeys.add(queueKeys.get(i));
        }
        return new InsertParams(someJobs, now, someKeys, maxPendingPerTenant, budgets);
    }

    /** With the default keys: best priority first, a class one minute of waiting apart, then first come. */
    public InsertParams(List<NewJob> jobs, Instant now) {
        this(jobs, now, defaultKeys(jobs, now));
    }

    /** The key of a job inserted at {@code now} without a scheduler: its class's gap after now, in microseconds. */
    public static long defaultKey(NewJob job, Instant now) {
        return micros(now) + job.priority().rank() * DEFAULT_CLASS_GAP_MICROS;
    }

    /** {@code t} in microseconds since the epoch. */
    public static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static List<Long> defaultKeys(List<NewJob> jobs, Instant now) {
        var keys = new ArrayList<Long>(jobs.size());
        for (var j : jobs) {
            keys.add(defaultKey(j, now));
        }
        return keys;
    }
}
