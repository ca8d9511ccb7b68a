package io.spillway.core.store;

import java.util.Map;
import java.util.Optional;

/**
 * The budgets of tenants ({@code tenant_budgets}): a budget per named tenant, and one for every
 * tenant not named, or none.
 *
 * @param byTenant  budgets of named tenants
 * @param otherwise the budget of a tenant not named, or null for none
 * @param defaultReservationNanos what a job whose cost its task cannot estimate reserves, in nanos
 *                  of a price unit
 */
public record Budgets(Map<String, Budget> byTenant, Budget otherwise, long defaultReservationNanos) {
    /** No tenant has a budget. */
    public static final Budgets NONE = new Budgets(Map.of(), null, 0);

    public Budgets {
        byTenant = Map.copyOf(byTenant);
        if (defaultReservationNanos < 0) {
            throw new IllegalArgumentException("the default reservation must not be negative, was " + defaultReservationNanos);
        }
    }

    /** The tenant's budget, if it has one. */
    public Optional<Budget> of(String tenant) {
        var b = byTenant.get(tenant);
        return Optional.ofNullable(b != null ? b : otherwise);
    }

    public boolean isEmpty() {
        return byTenant.isEmpty() && otherwise == null;
    }
}
