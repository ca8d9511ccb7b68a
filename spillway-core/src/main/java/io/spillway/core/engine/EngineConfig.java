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
 *                          jobs from other processes)
 * @param maintenanceInterval how often leases are rescued and deadlines expired
 * @param backoff           delays between attempts
 * @param workerId          names this process in claims
 * @param ownsStore         true when no other process uses the store (embedded): at start,
 *                          every processing job is rescued at once instead of after its lease
 * @param runWorkers        false to accept and store jobs without running any (a gateway, or
 *                          processing paused)
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
        boolean runWorkers) {

    public EngineConfig {
        positive("workerThreads", workerThreads);
        positive("maxInFlight", maxInFlight);
        positive("claimBatch", claimBatch);
        positive("acceptBatch", acceptBatch);
        positive("acceptQueue", acceptQueue);
        positive("leaseDuration", leaseDuration);
        positive("pollInterval", pollInterval);
        positive("maintenanceInterval", maintenanceInterval);
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(workerId, "workerId");
    }

    /** Defaults for an embedded server on this many cores. */
    public static EngineConfig defaults(int cores) {
        return new EngineConfig(Math.max(1, cores), 1024, 512, 1024, 65_536,
                Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Backoff.standard(), "embedded", true, true);
    }

    public EngineConfig withWorkerThreads(int n) {
        return new EngineConfig(n, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, backoff, workerId, ownsStore, runWorkers);
    }

    public EngineConfig withLease(Duration lease, Duration maintenance) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, lease,
                pollInterval, maintenance, backoff, workerId, ownsStore, runWorkers);
    }

    public EngineConfig withBackoff(Backoff b) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, b, workerId, ownsStore, runWorkers);
    }

    public EngineConfig withOwnsStore(boolean owns) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, backoff, workerId, owns, runWorkers);
    }

    public EngineConfig withRunWorkers(boolean run) {
        return new EngineConfig(workerThreads, maxInFlight, claimBatch, acceptBatch, acceptQueue, leaseDuration,
                pollInterval, maintenanceInterval, backoff, workerId, ownsStore, run);
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
