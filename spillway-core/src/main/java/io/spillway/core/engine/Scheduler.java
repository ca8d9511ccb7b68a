package io.spillway.core.engine;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Waiting, as the engine does it: timers (maintenance, lease renewal, long-poll timeouts) and
 * the dispatcher's sleep until its next due time. Time is read from the scheduler's
 * {@link #clock()}, so a test that drives a fake clock drives every wait in the engine with it
 * and nothing waits on real time (Caffeine's {@code Scheduler} and {@code Ticker} are the model).
 *
 * <p>Implementations are thread-safe. A timer task that throws is logged by the caller's guard,
 * never by the scheduler; the scheduler keeps running other tasks.
 */
public interface Scheduler {

    /** The clock every wait is measured on. */
    InstantSource clock();

    /** Runs {@code task} once, {@code delay} from now, on a thread of the scheduler's. */
    Cancellable schedule(Runnable task, Duration delay);

    /**
     * Parks the calling thread until {@code deadline}, an {@link #unpark} of it, or a spurious
     * wake-up: callers re-check their condition in a loop, as with {@link java.util.concurrent.locks.LockSupport}.
     */
    void parkUntil(Instant deadline);

    /** Wakes {@code thread} if it is parked in {@link #parkUntil}, or makes its next park return at once. */
    void unpark(Thread thread);

    /** Stops the timers; tasks not yet due never run. */
    void shutdown();

    /** A scheduled task's handle. */
    interface Cancellable {
        void cancel();
    }

    /** Real time: the given clock, platform timers, {@link java.util.concurrent.locks.LockSupport} parking. */
    static Scheduler system(InstantSource clock, String threadName) {
        return new SystemScheduler(clock, threadName);
    }
}
