package io.spillway.core;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: before attempt {@code n + 1} the job waits a random time in
 * {@code [d/2, d]} where {@code d = min(max, base * 2^(n-1))} ("equal jitter": never less than
 * half the exponential step, so retries do not stampede and never come back at once).
 *
 * <p>Thread-safe when the {@link RandomGenerator} is (the default, a splittable generator per
 * call site behind a lock, is).
 */
public final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final RandomGenerator random;

    public Backoff(Duration base, Duration max, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("backoff base must be positive, was " + base);
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff max " + max + " is below base " + base);
        }
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** Default: base 1 s, max 5 min. */
    public static Backoff standard() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), RandomGenerator.getDefault());
    }

    /**
     * The wait after attempt {@code attempt} (1-based) failed.
     *
     * @throws IllegalArgumentException when {@code attempt < 1}
     */
    public Duration delayAfter(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        long step = attempt > 62 ? maxMillis : Math.min(maxMillis, ceilingMultiply(baseMillis, 1L << (attempt - 1)));
        long half = step / 2;
        long jitter;
        synchronized (random) {
            jitter = random.nextLong(step - half + 1);
        }
        return Duration.ofMillis(half + jitter);
    }

    private static long ceilingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi != 0 || lo < 0) ? Long.MAX_VALUE : lo;
    }
}
