package io.spillway.core.store;

import io.spillway.core.NewJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.TreeSet;

/**
 * The limits a store checks inside its insert transaction ({@link InsertParams#limited()}): the cap
 * of pending jobs per tenant and tenants' budgets. For each tenant of the batch, in tenant order (so
 * stores that lock per tenant always lock in the same order), it takes the store's lock, counts the
 * tenant's pending jobs and what its budget has used, refuses what would go over a limit, inserts
 * the rest, and gives the results back in the order of the jobs. A job whose idempotency key its
 * tenant already holds is never refused: it resolves to the job that holds it, and reserves nothing
 * more.
 */
public final class InsertLimits {
    private InsertLimits() {
    }

    /** What a store counts in its transaction. */
    public interface Counts<E extends Exception> {
        /** Serializes inserts for the tenant until the transaction ends, where the store needs it (PostgreSQL). */
        default void lock(String tenant) throws E {
        }

        /** The tenant's pending jobs now. */
        long pending(String tenant) throws E;

        /**
         * What the tenant's budget has used in the period from {@code since}: what its pending and
         * running jobs reserve plus what its jobs completed since then cost, in nanos, read as of one
         * moment (a job that completes meanwhile is counted once).
         */
        long budgetUsed(String tenant, java.time.LocalDate since) throws E;

        /** Whether the tenant already has a job under this idempotency key. */
        boolean holdsKey(String tenant, String idempotencyKey) throws E;
    }

    /** How a store inserts jobs without limits. */
    public interface Insert<E extends Exception> {
        List<InsertResult> insert(InsertParams params) throws E;
    }

    public static <E extends Exception> List<InsertResult> apply(InsertParams params, Counts<E> counts, Insert<E> insert) throws E {
        var jobs = params.jobs();
        long cap = params.maxPendingPerTenant();
        var today = Budget.day(params.now());
        var pending = new HashMap<String, Long>();
        var used = new HashMap<String, Long>();
        for (var tenant : new TreeSet<>(jobs.stream().map(NewJob::tenant).toList())) {
            counts.lock(tenant);
            if (cap > 0) {
                pending.put(tenant, counts.pending(tenant));
            }
            var budget = params.budgets().of(tenant);
            if (budget.isPresent()) {
                used.put(tenant, counts.budgetUsed(tenant, budget.get().period().start(today)));
            }
        }
        var results = new InsertResult[jobs.size()];
        var admitted = new ArrayList<Integer>();
        var keysAdmitted = new HashSet<String>(); // tenant and idempotency key of jobs admitted in this batch
        for (int i = 0; i < jobs.size(); i++) {
            var j = jobs.get(i);
            var key = j.idempotencyKey() == null ? null : j.tenant() + "\u0000" + j.idempotencyKey();
            if (key != null && (keysAdmitted.contains(key) || counts.holdsKey(j.tenant(), j.idempotencyKey()))) {
                admitted.add(i); // a repeat: it resolves to the job that holds the key, and counts nothing more
                continue;
            }
            var refusal = refusal(j, cap, pending, used, params.budgets());
            if (refusal != null) {
                results[i] = refusal;
            } else {
                admitted.add(i);
                if (key != null) {
                    keysAdmitted.add(key);
                }
                pending.computeIfPresent(j.tenant(), (t, n) -> n + 1);
                used.computeIfPresent(j.tenant(), (t, n) -> n + j.reservation());
            }
        }
        if (!admitted.isEmpty()) {
            var inserted = insert.insert(params.only(admitted).withMaxPendingPerTenant(0).withBudgets(Budgets.NONE));
            for (int k = 0; k < admitted.size(); k++) {
                results[admitted.get(k)] = inserted.get(k);
            }
        }
        return List.of(results);
    }

    /** The refusal of the job under the counts so far, or null when it fits. */
    private static InsertResult refusal(NewJob j, long cap, HashMap<String, Long> pending, HashMap<String, Long> used,
                                        Budgets budgets) {
        if (cap > 0 && pending.get(j.tenant()) >= cap) {
            return InsertResult.refusedPending(j, cap);
        }
        var spent = used.get(j.tenant());
        if (spent != null) {
            var budget = budgets.of(j.tenant()).orElseThrow();
            // a spent budget takes no more work, not even work that costs nothing
            if (spent >= budget.limitNanos() || spent + j.reservation() > budget.limitNanos()) {
                return InsertResult.refusedBudget(j, budget, spent);
            }
        }
        return null;
    }
}
