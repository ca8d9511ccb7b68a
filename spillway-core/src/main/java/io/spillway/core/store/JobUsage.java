package io.spillway.core.store;

import io.spillway.core.json.Usage;
import java.util.Objects;

/**
 * What one completed job used, as its store adds it to the tenant's usage of the day
 * ({@link UsageRow}). Counts are never negative.
 *
 * @param model     the model (or method) that did the work; empty when the task names none
 * @param costNanos its cost in nanos of a price unit ({@link Budget#nanos})
 */
public record JobUsage(String tenant, String task, String model, long inputTokens, long outputTokens, long tokens,
                       long computeMs, long costNanos) {

    public JobUsage {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(task, "task");
        model = model == null ? "" : model;
        inputTokens = Math.max(0, inputTokens);
        outputTokens = Math.max(0, outputTokens);
        tokens = Math.max(0, tokens);
        computeMs = Math.max(0, computeMs);
        costNanos = Math.max(0, costNanos);
    }

    /** A job's usage as its result reported it; {@code usage} null counts the job alone. */
    public static JobUsage of(String tenant, String task, Usage usage) {
        if (usage == null) {
            return new JobUsage(tenant, task, "", 0, 0, 0, 0, 0);
        }
        return new JobUsage(tenant, task, usage.model(), orZero(usage.inputTokens()), orZero(usage.outputTokens()),
                orZero(usage.tokens()), orZero(usage.computeMs()), Budget.nanos(usage.cost()));
    }

    private static long orZero(Long n) {
        return n == null ? 0 : n;
    }
}
