package io.spillway.core.engine;

import io.spillway.core.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the engine. All values are validated here; the server validates user input before.
 *
 * @param workerThreads     platform threads running task handlers (CPU-bound work)
 * @param maxInFlight       jobs claimed and not yet recorded, at most
 * @param claimBatch        jobs claimed per store query, at most
 * @param acceptBatch       new jobs committed per transaction, at most
 * @param acceptQueue       new jobs waiting for a commit, at most (beyond: overloaded)
 * @param leaseDuration     how long a claim holds without renewal; renewed every third of it
 * @param pollInterval      longest the dispatcher sleeps without a wake-up (delayed retries,
 *                          jobs from other processes whose notification was lost)
 * @param maintenanceInterval how often leases are rescued, deadlines expired and old jobs deleted
 * @param backoff           delays between attempts
 * @param workerId          names this process in claims
 * @param ownsStore         true when no other process uses the store (embedded): at start,
 *                          every processing job is rescued at once instead of after its lease
 * @param runWorkers        false to accept and store jobs without running any (a gateway, or
 *                          processing paused)
 * @param retention         how long finished jobs are kept before they are deleted
 * @param prefetchBatches   batches a task may hold claimed beyond what its workers run, so the
 *                          next batch is at hand when one finishes
 * @param scheduling        how runnable jobs are ordered (priority aging, tenant shares) and
 *                          when load is shed
 */
public record EngineConfig(
        int workerThreads,
        int maxInFlight,
        int claimBatch,
        int acceptBatch,
        int acceptQueue,
        Duration leaseDuration,
        Duration pollInterval,
        Duration maintenanceInterval,
        Backoff backoff,
        String workerId,
        boolean ownsStore,
        boolean runWorkers,
        Duration retention,
        int prefetchBatches,
        SchedulingPolicy scheduling) {

    public EngineConfig {
        positive("workerThreads", workerThreads);
        positive("maxInFlight", maxInFlight);
        positive("claimBatch", claimBatch);
        positive("acceptBatch", acceptBatch);
        positive("acceptQueue", acceptQueue);
        positive("leaseDuration", leaseDuration);
        positive("pollInterval", pollInterval);
        positive("maintenanceInterval", maintenanceInterval);
        positive("retention", retention);
        if (prefetchBatches < 0) {
            throw new IllegalArgumentException("prefetchBatches must be >= 0, was " + prefetchBatches);
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(scheduling, "scheduling");
    }

    /** Defaults for an embedded server with this many worker threads. */
    public static EngineConfig defaults(int workerThreads) {
        return new EngineConfig(Math.max(1, workerThreads), 1024, 512, 1024, 65_536,
                Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Backoff.standard(), "embedded", true, true, Duration.ofDays(7), 1, SchedulingPolicy.defaults());
    }

    public EngineConfig withWorkerThreads(int n) {
        return new EngineConfig(n, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration, pollInterval,
                maintenanceInterval, backoff, workerId, ownsStore, runWorkers, retention, prefetchBatches, scheduling);
    }

    public EngineConfig withLimits(int maxInFlight, int acceptQueue) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, backoff, workerId, ownsStore, runWorkers, retention, prefetchBatches, scheduling);
    }

    public EngineConfig withLease(Duration lease, Duration maintenance) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, lease,
                pollInterval, maintenance, backoff, workerId, ownsStore, runWorkers, retention, prefetchBatches, scheduling);
    }

    public EngineConfig withBackoff(Backoff b) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, b, workerId, ownsStore, runWorkers, retention, prefetchBatches, scheduling);
    }

    /** Who this process is and whether it shares the store and runs jobs. */
    public EngineConfig withRole(String worker, boolean owns, boolean run) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, backoff, worker, owns, run, retention, prefetchBatches, scheduling);
    }

    public EngineConfig withOwnsStore(boolean owns) {
        return withRole(workerId, owns, runWorkers);
    }

    public EngineConfig withRunWorkers(boolean run) {
        return withRole(workerId, ownsStore, run);
    }

    public EngineConfig withRetention(Duration r) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, backoff, workerId, ownsStore, runWorkers, r, prefetchBatches, scheduling);
    }

    public EngineConfig withPrefetchBatches(int n) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, backoff, workerId, ownsStore, runWorkers, retention, n, scheduling);
    }

    public EngineConfig withScheduling(SchedulingPolicy s) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, backoff, workerId, ownsStore, runWorkers, retention, prefetchBatches, s);
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + v);
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}
