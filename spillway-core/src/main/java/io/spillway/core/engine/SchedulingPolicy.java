package io.spillway.core.engine;

import io.spillway.core.Priority;
import io.spillway.core.store.Budgets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * How the engine orders each task's runnable jobs and when it sheds load.
 *
 * @param aging         the wait that is worth one priority class: a job of a lower class goes
 *                      ahead of better-class jobs that arrive this much of the task's work
 *                      after it, so a flood of interactive work slows batch work but never
 *                      stops it
 * @param tenantWeights each tenant's share of a saturated task, relative to the others' (a
 *                      tenant not named has weight 1)
 * @param maxQueue      per priority, the longest a new job may be expected to wait; a job that
 *                      would wait longer is refused (a priority not named has no limit)
 * @param maxRunningPerTenant the most jobs one tenant may have running at once, in every process
 *                      together (0: no cap); beyond it the tenant's jobs wait pending
 * @param maxPendingPerTenant the most jobs one tenant may have waiting, counted by the store in the
 *                      insert's transaction, so it holds for every process together (0: no cap);
 *                      beyond it a submit is refused with 429
 * @param budgets       tenants' budgets: each job reserves its estimated cost at submit, checked by
 *                      the store in the insert's transaction; beyond a budget a submit is refused
 *                      with 429
 */
public record SchedulingPolicy(Duration aging, Map<String, Integer> tenantWeights, Map<Priority, Duration> maxQueue,
                               int maxRunningPerTenant, int maxPendingPerTenant, Budgets budgets) {

    public SchedulingPolicy {
        if (aging == null || aging.isNegative() || aging.isZero()) {
            throw new IllegalArgumentException("aging must be a positive duration, was " + aging);
        }
        tenantWeights = Map.copyOf(tenantWeights);
        tenantWeights.forEach((tenant, w) -> {
            if (w < 1) {
                throw new IllegalArgumentException("the weight of tenant '" + tenant + "' must be >= 1, was " + w);
            }
        });
        if (maxRunningPerTenant < 0 || maxPendingPerTenant < 0) {
            throw new IllegalArgumentException("the caps per tenant must be >= 0, were " + maxRunningPerTenant + " running and "
                    + maxPendingPerTenant + " pending");
        }
        Objects.requireNonNull(budgets, "budgets");
        maxQueue = maxQueue.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(maxQueue));
        maxQueue.forEach((p, d) -> {
            if (Objects.requireNonNull(d, "maxQueue").isNegative() || d.isZero()) {
                throw new IllegalArgumentException("the queue limit of " + p.wireName() + " must be positive, was " + d);
            }
        });
    }

    /** With no budgets. */
    public SchedulingPolicy(Duration aging, Map<String, Integer> tenantWeights, Map<Priority, Duration> maxQueue,
                            int maxRunningPerTenant, int maxPendingPerTenant) {
        this(aging, tenantWeights, maxQueue, maxRunningPerTenant, maxPendingPerTenant, Budgets.NONE);
    }

    /** One minute of waiting per class, every tenant weight 1, no queue limit, no tenant caps, no budgets. */
    public static SchedulingPolicy defaults() {
        return new SchedulingPolicy(Duration.ofMinutes(1), Map.of(), Map.of(), 0, 0);
    }

    public SchedulingPolicy withAging(Duration a) {
        return new SchedulingPolicy(a, tenantWeights, maxQueue, maxRunningPerTenant, maxPendingPerTenant, budgets);
    }

    public SchedulingPolicy withTenantWeights(Map<String, Integer> weights) {
        return new SchedulingPolicy(aging, weights, maxQueue, maxRunningPerTenant, maxPendingPerTenant, budgets);
    }

    public SchedulingPolicy withMaxQueue(Map<Priority, Duration> limits) {
        return new SchedulingPolicy(aging, tenantWeights, limits, maxRunningPerTenant, maxPendingPerTenant, budgets);
    }

    public SchedulingPolicy withMaxRunningPerTenant(int n) {
        return new SchedulingPolicy(aging, tenantWeights, maxQueue, n, maxPendingPerTenant, budgets);
    }

    public SchedulingPolicy withMaxPendingPerTenant(int n) {
        return new SchedulingPolicy(aging, tenantWeights, maxQueue, maxRunningPerTenant, n, budgets);
    }

    public SchedulingPolicy withBudgets(Budgets b) {
        return new SchedulingPolicy(aging, tenantWeights, maxQueue, maxRunningPerTenant, maxPendingPerTenant, b);
    }

    /** The tenant's weight: as configured, else 1. */
    public int weight(String tenant) {
        return tenantWeights.getOrDefault(tenant, 1);
    }
}
