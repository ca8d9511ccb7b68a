package io.spillway.core.engine;

import io.spillway.core.NewJob;
import io.spillway.core.store.Budget;
import io.spillway.core.store.Budgets;
import io.spillway.core.store.InsertResult;
import io.spillway.core.task.TaskRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalDouble;

/**
 * The engine's side of tenants' budgets: what a job reserves at submit (the store checks it in the
 * insert's transaction), and what a client is told when the store refused one.
 */
final class Budgeting {
    private final TaskRegistry tasks;
    private final Budgets budgets;

    Budgeting(TaskRegistry tasks, Budgets budgets) {
        this.tasks = tasks;
        this.budgets = budgets;
    }

    /**
     * The job reserving its estimated cost when its tenant has a budget (the default reservation
     * when its task cannot estimate it); else as it is.
     */
    NewJob reserving(NewJob job) {
        if (budgets.isEmpty() || budgets.of(job.tenant()).isEmpty()) {
            return job;
        }
        var estimate = tasks.handler(job.task()).map(t -> t.estimateCost(job.input(), job.priority())).orElse(OptionalDouble.empty());
        return job.withReservation(estimate.isPresent() ? Budget.nanos(Math.max(0, estimate.getAsDouble()))
                : budgets.defaultReservationNanos());
    }

    /** The refusal the caller sees: the budget, what it has used, and when it renews. */
    AdmissionRefusedException refusal(InsertResult.BudgetSpent r, Instant now) {
        var b = r.budget();
        var next = b.period().next(Budget.day(now));
        var message = "tenant " + r.tenant() + " has used " + units(r.usedNanos()) + " of its budget (tenant_budgets "
                + units(b.limitNanos()) + " per " + b.period().wireName() + ", counting what its pending and running jobs reserve)"
                + (r.neededNanos() > 0 ? " and this job reserves " + units(r.neededNanos()) : "")
                + "; submit again once its pending and running jobs have ended, or when the budget renews on " + next + " (UTC)";
        var untilRenewal = Duration.between(now, next.atStartOfDay(ZoneOffset.UTC).toInstant());
        return new AdmissionRefusedException(message, untilRenewal,
                new AdmissionRefusedException.Quota("budget", b.limitNanos(), b.period().seconds()));
    }

    private static String units(long nanos) {
        return Budget.decimal(nanos).toPlainString();
    }
}
