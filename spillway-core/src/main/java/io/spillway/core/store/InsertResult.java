package io.spillway.core.store;

import io.spillway.core.Job;
import io.spillway.core.NewJob;

/**
 * What became of a {@link NewJob}: the new row ({@code created}), the job that already held the
 * same tenant and idempotency key ({@code !created}), or nothing, because a limit checked in the
 * insert's transaction refused it ({@code refusal}, with {@code job} null).
 */
public record InsertResult(Job job, boolean created, Refusal refusal) {

    /** The limit that refused a job. */
    public sealed interface Refusal {
        /** The job's tenant. */
        String tenant();
    }

    /**
     * The tenant has as many pending jobs as {@code max_pending_per_tenant} allows.
     *
     * @param cap the limit's value, which the tenant has reached
     */
    public record PendingCapReached(String tenant, long cap) implements Refusal {
    }

    /**
     * The job's reservation would take its tenant over its budget.
     *
     * @param usedNanos   what the tenant's jobs of the period cost and its pending and running jobs reserve
     * @param neededNanos what the job would reserve
     */
    public record BudgetSpent(String tenant, Budget budget, long usedNanos, long neededNanos) implements Refusal {
    }

    public InsertResult(Job job, boolean created) {
        this(job, created, null);
    }

    /** A job refused because its tenant has {@code cap} pending jobs. */
    public static InsertResult refusedPending(NewJob job, long cap) {
        return new InsertResult(null, false, new PendingCapReached(job.tenant(), cap));
    }

    /** A job refused because its reservation would take its tenant over its budget. */
    public static InsertResult refusedBudget(NewJob job, Budget budget, long usedNanos) {
        return new InsertResult(null, false, new BudgetSpent(job.tenant(), budget, usedNanos, job.reservation()));
    }

    public boolean refused() {
        return refusal != null;
    }
}
