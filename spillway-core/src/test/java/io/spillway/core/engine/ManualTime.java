package io.spillway.core.engine;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Scheduler} on a clock that moves only when the test says so. {@link #advance} runs
 * every timer that falls due, on the test's thread and in due order, and wakes every thread
 * parked on the clock; nothing in an engine driven by it waits on real time for a lease, a
 * backoff, a deadline or a long poll.
 */
final class ManualTime implements Scheduler, InstantSource {
    private record Timer(Instant due, long seq, Runnable task) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.due().equals(b.due())
            ? Long.compare(a.seq(), b.seq()) : a.due().compareTo(b.due()));
    private final Set<Thread> permits = new HashSet<>();
    private Instant now;
    private long seq;
    private boolean shutdown;

    ManualTime(Instant start) {
        this.now = start;
    }

    @Override
    public InstantSource clock() {
        return this;
    }

    @Override
    public Instant instant() {
        lock.lock();
        try {
            return now;
        } finally {
            lock.unlock();
        }
    }

    /** Moves the clock forward, running each timer that falls due at its own time. */
    void advance(Duration by) {
        Instant target = instant().plus(by);
        while (true) {
            Timer next;
            lock.lock();
            try {
                next = timers.peek();
                if (next == null || next.due().isAfter(target)) {
                    now = target;
                    moved.signalAll();
                    return;
                }
                timers.poll();
                if (next.due().isAfter(now)) {
                    now = next.due();
                }
                moved.signalAll();
            } finally {
                lock.unlock();
            }
            next.task().run();
        }
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        lock.lock();
        try {
            if (shutdown) {
                return () -> { };
            }
            var timer = new Timer(now.plus(delay), seq++, task);
            timers.add(timer);
            return () -> {
                lock.lock();
                try {
                    timers.remove(timer);
                } finally {
                    lock.unlock();
                }
            };
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void parkUntil(Instant deadline) {
        var self = Thread.currentThread();
        lock.lock();
        try {
            // the bounded wait only guards a test that forgets to stop its engine; time itself never runs here
            while (!permits.remove(self) && now.isBefore(deadline)) {
                if (!moved.await(1, TimeUnit.SECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            self.interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void unpark(Thread thread) {
        lock.lock();
        try {
            permits.add(thread);
            moved.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            timers.clear();
            moved.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
