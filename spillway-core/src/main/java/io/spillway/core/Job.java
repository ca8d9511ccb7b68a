package io.spillway.core;

import io.spillway.core.json.JobInput;
import java.time.Instant;
import java.util.Objects;

/**
 * One unit of AI work as the store holds it. Immutable; every state change is a new row version.
 *
 * <p>{@code input} is parsed at most once, when a task first reads it ({@link JobInput});
 * {@code metadata} and {@code result} are JSON texts the core does not parse. {@code attempt} counts claims (0 before the first) and is the lease's fencing token.
 * Nullable fields: metadata, deadline, leaseUntil, startedAt, finishedAt, result, error,
 * idempotencyKey, requestHash, traceparent (the W3C trace context the job was submitted in).
 */
public record Job(
        String id,
        String tenant,
        String task,
        JobState state,
        Priority priority,
        JobInput input,
        String metadata,
        int attempt,
        int maxAttempts,
        Instant createdAt,
        Instant runAt,
        Instant deadline,
        Instant leaseUntil,
        Instant startedAt,
        Instant finishedAt,
        String result,
        String error,
        String idempotencyKey,
        String requestHash,
        String traceparent) {

    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(runAt, "runAt");
    }

    /**
     * A job that does part of this one's work in-process (a pipeline step, a routed call): the
     * same tenant, claim, times and trace, with its own task and input, and an id that names the
     * part ({@code <id>/<part>}, or this job's id when {@code part} is null).
     */
    public Job part(String part, String task, JobInput input) {
        return new Job(part == null ? id : id + "/" + part, tenant, task, state, priority, input, null, attempt, maxAttempts,
                createdAt, runAt, deadline, leaseUntil, startedAt, null, null, null, null, null, traceparent);
    }

    /**
     * This job with other stored content (input, metadata, result, error), everything else the
     * same: the form a store holds, or the form in clear (encryption at rest).
     */
    public Job withContent(JobInput newInput, String newMetadata, String newResult, String newError) {
        return new Job(id, tenant, task, state, priority, newInput, newMetadata, attempt, maxAttempts, createdAt, runAt,
                deadline, leaseUntil, startedAt, finishedAt, newResult, newError, idempotencyKey, requestHash, traceparent);
    }

    /** The reference to this job's current claim, for fenced completion. */
    public JobRef ref() {
        return new JobRef(id, attempt);
    }
}
