package io.spillway.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One unit of AI work as the store holds it. Immutable; every state change is a new row version.
 *
 * <p>{@code input}, {@code metadata} and {@code result} are JSON texts: the core does not parse
 * them. {@code attempt} counts claims (0 before the first) and is the lease's fencing token.
 * Nullable fields: metadata, deadline, leaseUntil, startedAt, finishedAt, result, error,
 * idempotencyKey, requestHash, traceparent (the W3C trace context the job was submitted in).
 */
public record Job(
        String id,
        String tenant,
        String task,
        JobState state,
        Priority priority,
        String input,
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

    /** The reference to this job's current claim, for fenced completion. */
    public JobRef ref() {
        return new JobRef(id, attempt);
    }
}
