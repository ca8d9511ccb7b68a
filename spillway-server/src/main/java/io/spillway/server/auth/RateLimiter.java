package io.spillway.server.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each key's request rate, as a token bucket per key in this process: a key of rate {@code r}
 * may make a second's worth of requests at once (at least one), then {@code r} a second. Gateways
 * count their own requests: behind N gateways a key may make up to N times its rate (the pending
 * cap and budgets, counted in the store, hold in total).
 */
public final class RateLimiter {
    private static final int MAX_KEYS = 100_000;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        private double tokens;
        private long at;

        Bucket(double capacity, long now) {
            this.tokens = capacity;
            this.at = now;
        }

        synchronized long take(double rate, double capacity, long now) {
            tokens = Math.min(capacity, tokens + (now - at) * rate / 1e9);
            at = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / rate * 1e9);
        }
    }

    /**
     * Takes a request from the key's bucket.
     *
     * @return 0 when the request may go; else the nanoseconds until it could
     */
    public long take(String keyId, double ratePerSecond) {
        long now = System.nanoTime();
        double capacity = Math.max(1, ratePerSecond);
        if (buckets.size() >= MAX_KEYS) {
            buckets.clear(); // more keys than any deployment has: start again rather than grow
        }
        return buckets.computeIfAbsent(keyId, k -> new Bucket(capacity, now)).take(ratePerSecond, capacity, now);
    }
}
