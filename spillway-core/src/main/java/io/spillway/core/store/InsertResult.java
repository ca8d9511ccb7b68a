package io.spillway.core.store;

import io.spillway.core.Job;
import io.spillway.core.NewJob;

/**
 * What became of a {@link NewJob}: the new row ({@code created}), the job that already held the
 * same tenant and idempotency key ({@code !created}), or nothing, because a limit checked in the
 * insert's transaction refused it ({@code refusal}, with {@code job} null).
 */
public record InsertResult(Job job, boolean created, Refusal refusal) {

    /**
     * The limit that refused a job.
     *
     * @param tenant the job's tenant
     * @param limit  the limit's setting ({@code max_pending_per_tenant})
     * @param value  the limit's value, which the tenant has reached
     */
    public record Refusal(String tenant, String limit, long value) {
    }

    public InsertResult(Job job, boolean created) {
        this(job, created, null);
    }

    /** A job refused because its tenant has {@code cap} pending jobs. */
    public static InsertResult refusedPending(NewJob job, long cap) {
        return new InsertResult(null, false, new Refusal(job.tenant(), "max_pending_per_tenant", cap));
    }

    public boolean refused() {
        return refusal != null;
    }
}
