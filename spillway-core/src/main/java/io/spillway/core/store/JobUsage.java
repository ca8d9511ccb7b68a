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
        inputTokens = bounded(inputTokens);
        outputTokens = bounded(outputTokens);
        tokens = bounded(tokens);
        computeMs = bounded(computeMs);
        costNanos = bounded(costNanos);
    }

    /**
     * The most one job counts of anything (a million price units, in nanos): a day's sums of many
     * such jobs still fit a 64-bit column, so no result, however odd, can stop its tenant's accounting.
     */
    public static final long MAX_PER_JOB = 1_000_000_000_000_000L;

    private static long bounded(long n) {
        return Math.clamp(n, 0, MAX_PER_JOB);
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
