package io.spillway.core.store;

import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock that never steps back: an anchor instant advanced by {@link System#nanoTime()}. A
 * step of the system clock (NTP, a manual change) does not move it; it drifts from true time
 * only as fast as the machine's tick rate differs, parts per million. Thread-safe.
 */
public final class MonotonicClock implements InstantSource {
    private final long anchorEpochNanos;
    private final long anchorNanoTime;

    private MonotonicClock(Instant anchor, long anchorNanoTime) {
        this.anchorEpochNanos = anchor.getEpochSecond() * 1_000_000_000L + anchor.getNano();
        this.anchorNanoTime = anchorNanoTime;
    }

    /**
     * Starts at the system's time now, or at {@code floor} when that is later (a store whose
     * newest job is later than this machine's clock: time then goes on from the store's).
     */
    public static MonotonicClock startingAt(Instant floor) {
        var now = Instant.now();
        return new MonotonicClock(now.isAfter(floor) ? now : floor, System.nanoTime());
    }

    /** Starts at {@code anchor}, taken at this moment (another clock's reading, a database's say). */
    public static MonotonicClock anchoredAt(Instant anchor) {
        return new MonotonicClock(anchor, System.nanoTime());
    }

    @Override
    public Instant instant() {
        long nanos = anchorEpochNanos + (System.nanoTime() - anchorNanoTime);
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    @Override
    public long millis() {
        return Math.floorDiv(anchorEpochNanos + (System.nanoTime() - anchorNanoTime), 1_000_000L);
    }
}
