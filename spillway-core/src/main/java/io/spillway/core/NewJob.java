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
        String traceparent) {

    public NewJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(priority, "priority");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
    }
}
