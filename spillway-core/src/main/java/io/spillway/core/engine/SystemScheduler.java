package io.spillway.core.engine;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** {@link Scheduler} on real time: one daemon timer thread and {@link LockSupport} parking. */
final class SystemScheduler implements Scheduler {
    private final InstantSource clock;
    private final ScheduledThreadPoolExecutor timer;

    SystemScheduler(InstantSource clock, String threadName) {
        this.clock = clock;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon(true).name(threadName).unstarted(r));
        // long polls cancel their timeout when the job finishes first: drop those at once
        timer.setRemoveOnCancelPolicy(true);
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        try {
            var future = timer.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        } catch (RejectedExecutionException e) {
            return () -> { }; // shut down: the task would never run anyway
        }
    }

    @Override
    public void parkUntil(Instant deadline) {
        long nanos = Duration.between(clock.instant(), deadline).toNanos();
        if (nanos > 0) {
            LockSupport.parkNanos(this, nanos);
        }
    }

    @Override
    public void unpark(Thread thread) {
        LockSupport.unpark(thread);
    }

    @Override
    public void shutdown() {
        timer.shutdownNow();
    }
}
