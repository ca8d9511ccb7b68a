package io.spillway.core.store;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * What a tenant's completed jobs of one task and model used on one day (UTC): the store keeps one
 * such row per tenant, day, task and model, added to in the transaction that completes each job,
 * so usage outlives the jobs (retention) and a stale worker's completion, which does not apply,
 * adds nothing.
 *
 * @param model     the model; empty when the task names none
 * @param costNanos the jobs' cost in nanos of a price unit
 */
public record UsageRow(String tenant, LocalDate day, String task, String model, long jobs, long inputTokens,
                       long outputTokens, long tokens, long computeMs, long costNanos) {

    public UsageRow {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(model, "model");
    }

    /** The usages of jobs completed on {@code day}, summed per tenant, task and model, in first-seen order. */
    public static List<UsageRow> sum(LocalDate day, List<JobUsage> usages) {
        record Key(String tenant, String task, String model) {
        }
        var rows = new LinkedHashMap<Key, UsageRow>();
        for (var u : usages) {
            rows.merge(new Key(u.tenant(), u.task(), u.model()),
                    new UsageRow(u.tenant(), day, u.task(), u.model(), 1, u.inputTokens(), u.outputTokens(), u.tokens(),
                            u.computeMs(), u.costNanos()),
                    UsageRow::plus);
        }
        return new ArrayList<>(rows.values());
    }

    /** This row with another's counts added (the names of this one). */
    public UsageRow plus(UsageRow o) {
        return new UsageRow(tenant, day, task, model, jobs + o.jobs, inputTokens + o.inputTokens,
                outputTokens + o.outputTokens, tokens + o.tokens, computeMs + o.computeMs, costNanos + o.costNanos);
    }
}
