package io.spillway.core.store;

import io.spillway.core.NewJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;

/**
 * The cap of pending jobs per tenant ({@link InsertParams#maxPendingPerTenant()}), as every store
 * applies it inside its insert transaction: count each tenant's pending jobs (in tenant order, so
 * stores that lock per tenant always lock in the same order), refuse what would go over the cap,
 * insert the rest, and give the results back in the order of the jobs. A job whose idempotency key
 * its tenant already holds is never refused: it resolves to the job that holds it.
 */
public final class PendingCap {
    private PendingCap() {
    }

    /** What a store counts in its transaction. */
    public interface Counts<E extends Exception> {
        /** The tenant's pending jobs now; a store that serializes per tenant takes its lock here. */
        long pending(String tenant) throws E;

        /** Whether the tenant already has a job under this idempotency key. */
        boolean holdsKey(String tenant, String idempotencyKey) throws E;
    }

    /** How a store inserts jobs without a cap. */
    public interface Insert<E extends Exception> {
        List<InsertResult> insert(InsertParams params) throws E;
    }

    public static <E extends Exception> List<InsertResult> apply(InsertParams params, Counts<E> counts, Insert<E> insert) throws E {
        var jobs = params.jobs();
        long cap = params.maxPendingPerTenant();
        var pending = new HashMap<String, Long>();
        for (var tenant : new TreeSet<>(jobs.stream().map(NewJob::tenant).toList())) {
            pending.put(tenant, counts.pending(tenant));
        }
        var results = new InsertResult[jobs.size()];
        var admitted = new ArrayList<Integer>();
        for (int i = 0; i < jobs.size(); i++) {
            var j = jobs.get(i);
            long n = pending.get(j.tenant());
            if (n >= cap && (j.idempotencyKey() == null || !counts.holdsKey(j.tenant(), j.idempotencyKey()))) {
                results[i] = InsertResult.refusedPending(j, cap);
            } else {
                admitted.add(i);
                pending.put(j.tenant(), n + 1);
            }
        }
        if (!admitted.isEmpty()) {
            var inserted = insert.insert(params.only(admitted).withMaxPendingPerTenant(0));
            for (int k = 0; k < admitted.size(); k++) {
                results[admitted.get(k)] = inserted.get(k);
            }
        }
        return List.of(results);
    }
}
