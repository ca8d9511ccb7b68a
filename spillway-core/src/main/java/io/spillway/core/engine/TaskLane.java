package io.spillway.core.engine;

import io.spillway.core.task.TaskHandler;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One task's room in this process: how many of its jobs may be claimed at once (what its workers
 * run, plus one batch of prefetch), its own workers for a task that computes, and whether it may
 * have work waiting. The {@link Dispatcher} claims for a lane only what it has room for.
 */
final class TaskLane {
    final TaskHandler handler;
    private final EngineConfig config;
    /** For a task that computes: jobs this process may hold claimed at once (what its workers run, plus prefetch). */
    private final int fixedCapacity;
    /** The task's own workers (null: virtual threads, for a task that waits on I/O). */
    final ThreadPoolExecutor workers;
    final AtomicInteger claimed = new AtomicInteger();
    final AtomicBoolean mayHaveWork = new AtomicBoolean(true);

    TaskLane(TaskHandler handler, EngineConfig config) {
        this.handler = handler;
        this.config = config;
        int batch = handler.maxBatchSize();
        if (handler.waitsOnIo()) {
            this.fixedCapacity = -1;
            this.workers = null;
        } else {
            int threads = handler.concurrency() > 0 ? handler.concurrency() : config.workerThreads();
            this.fixedCapacity = Math.min(config.maxInFlight(), (threads + config.prefetchBatches()) * batch);
            var n = new AtomicInteger();
            this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> Thread.ofPlatform().daemon(true).name("spillway-" + handler.name() + "-" + n.incrementAndGet())
                            .unstarted(r));
        }
    }

    /**
     * Jobs of the task this process may hold claimed at once: what its workers run (for a task that
     * waits on I/O, the concurrency it declares now, which may change), plus prefetch.
     */
    int capacity() {
        if (fixedCapacity >= 0) {
            return fixedCapacity;
        }
        int concurrency = handler.concurrency();
        return concurrency > 0
                ? Math.min(config.maxInFlight(), (concurrency + config.prefetchBatches()) * handler.maxBatchSize())
                : config.maxInFlight();
    }

    int free() {
        return capacity() - claimed.get();
    }

    /**
     * Whether to claim with {@code free} places: at once when little is claimed, but when the
     * lane is nearly full only once a quarter of it (or a claim batch) is free, so a saturated
     * task claims in large batches instead of one store round trip per finished job.
     */
    boolean worthClaiming(int free, int claimBatch) {
        int threshold = Math.max(1, Math.min(claimBatch, capacity() / 4));
        return free > 0 && (free >= threshold || claimed.get() < threshold);
    }
}
