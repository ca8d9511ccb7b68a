package io.spillway.core;

import io.spillway.core.json.JobInput;
import java.time.Instant;
import java.util.Objects;

/**
 * A job as a client submits it, before the store has it. {@code id} is chosen by the caller
 * (see {@link JobIds}) so a 202 can name it the moment the insert commits.
 *
 * <p>Nullable: metadata, deadline, idempotencyKey, requestHash, traceparent (a W3C trace context
 * to carry to the worker).
 *
 * @param reservation what the job is expected to cost at most, in nanos of a price unit
 *                    ({@link io.spillway.core.store.Budget#nanos}): held against its tenant's budget
 *                    while the job is pending or running; 0 when its tenant has no budget
 */
public record NewJob(
        String id,
        String tenant,
        String task,
        JobInput input,
        Priority priority,
        int maxAttempts,
        Instant deadline,
        String metadata,
        String idempotencyKey,
        String requestHash,
        String traceparent,
        long reservation) {

    public NewJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(priority, "priority");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (reservation < 0) {
            throw new IllegalArgumentException("reservation must be >= 0, was " + reservation);
        }
    }

    /** A job that reserves nothing. */
    public NewJob(String id, String tenant, String task, JobInput input, Priority priority, int maxAttempts, Instant deadline,
                  String metadata, String idempotencyKey, String requestHash, String traceparent) {
        this(id, tenant, task, input, priority, maxAttempts, deadline, metadata, idempotencyKey, requestHash, traceparent, 0);
    }

    /** This job reserving {@code nanos} of its tenant's budget. */
    public NewJob withReservation(long nanos) {
        return new NewJob(id, tenant, task, input, priority, maxAttempts, deadline, metadata, idempotencyKey, requestHash,
                traceparent, nanos);
    }
}
