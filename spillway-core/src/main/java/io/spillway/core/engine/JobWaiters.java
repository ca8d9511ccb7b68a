package io.spillway.core.engine;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes threads waiting for a job to change state (long polls). A waiter registers a future,
 * then reads the job, and re-reads it when woken: registering before reading means no change
 * is missed. Thread-safe; a notify for a job nobody waits on costs one map lookup.
 */
final class JobWaiters {
    private final ConcurrentHashMap<String, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();

    /** A future completed at the next {@link #notifyChanged} for {@code id}. */
    CompletableFuture<Void> register(String id) {
        var future = new CompletableFuture<Void>();
        waiters.compute(id, (k, set) -> {
            var s = set != null ? set : ConcurrentHashMap.<CompletableFuture<Void>>newKeySet();
            s.add(future);
            return s;
        });
        return future;
    }

    /** Forgets a waiter that gave up. */
    void unregister(String id, CompletableFuture<Void> future) {
        waiters.computeIfPresent(id, (k, set) -> {
            set.remove(future);
            return set.isEmpty() ? null : set;
        });
    }

    void notifyChanged(String id) {
        if (waiters.isEmpty()) {
            return;
        }
        var set = waiters.remove(id);
        if (set != null) {
            for (var f : set) {
                f.complete(null);
            }
        }
    }

    /** Wakes every waiter (shutdown: each answers with the job as it is). */
    void notifyAllWaiters() {
        for (var id : waiters.keySet()) {
            notifyChanged(id);
        }
    }

    int size() {
        return waiters.size();
    }
}
