package io.spillway.server.auth;

import io.spillway.core.keys.KeyStore;
import io.spillway.core.store.StoreException;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each key's request rate, as a token bucket: a key of rate {@code r} may make a second's worth of
 * requests at once (at least one), then {@code r} a second.
 *
 * <p>On a store only this process uses, the bucket is this process's. On a store that gateways
 * share, the bucket is the store's ({@link KeyStore#keyRateTake}), so N gateways admit the rate in
 * total, not N times it: a gateway takes a tenth of a second's worth at a time and admits from that
 * until it is used up or a second old (what it took and did not use is then given up, so a key's
 * requests may exceed its rate by at most that tenth per gateway, and are never admitted twice).
 * When the store cannot be asked, a gateway admits what its own bucket would.
 */
public final class RateLimiter {
    private static final int MAX_KEYS = 100_000;
    /** How long tokens taken from the store may be admitted from. */
    private static final long LEASE_NANOS = 1_000_000_000L;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final KeyStore shared;
    private final InstantSource clock;

    /** A bucket per key in this process. */
    public RateLimiter() {
        this(null, null);
    }

    /**
     * @param shared the store that keeps the buckets gateways share, or null for this process's
     * @param clock  the store's clock
     */
    public RateLimiter(KeyStore shared, InstantSource clock) {
        this.shared = shared;
        this.clock = clock;
    }

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

    /** Tokens taken from the store's bucket, admitted from until used up or a second old. */
    private static final class Lease {
        private int left;
        private long until;
        /** Until when the store's bucket was found empty: requests are refused here without asking it again. */
        private long emptyUntil;

        synchronized boolean admit(long now) {
            if (left > 0 && now < until) {
                left--;
                return true;
            }
            return false;
        }

        /** The nanoseconds to wait when the store's bucket was empty a moment ago, else 0. */
        synchronized long emptyFor(long now) {
            return now < emptyUntil ? emptyUntil - now : 0;
        }

        synchronized void refill(int tokens, long now, double ratePerSecond) {
            left = tokens;
            until = now + LEASE_NANOS;
            emptyUntil = tokens == 0 ? now + (long) Math.ceil(1e9 / ratePerSecond) : 0;
        }
    }

    private final Map<String, Lease> leases = new ConcurrentHashMap<>();

    /**
     * Takes a request from the key's bucket.
     *
     * @return 0 when the request may go; else the nanoseconds until it could
     */
    public long take(String keyId, double ratePerSecond) {
        long now = System.nanoTime();
        double capacity = Math.max(1, ratePerSecond);
        if (buckets.size() >= MAX_KEYS || leases.size() >= MAX_KEYS) {
            buckets.clear(); // more keys than any deployment has: start again rather than grow
            leases.clear();
        }
        if (shared != null) {
            var lease = leases.computeIfAbsent(keyId, k -> new Lease());
            if (lease.admit(now)) {
                return 0;
            }
            long empty = lease.emptyFor(now);
            if (empty > 0) {
                return empty; // a key over its rate costs the store one question per refill interval, not one per request
            }
            synchronized (lease) {
                if (lease.admit(now)) {
                    return 0; // another request took a lease meanwhile
                }
                empty = lease.emptyFor(now);
                if (empty > 0) {
                    return empty;
                }
                int want = (int) Math.max(1, Math.ceil(ratePerSecond / 10));
                try {
                    lease.refill(shared.keyRateTake(keyId, ratePerSecond, capacity, want, clock.instant()), now, ratePerSecond);
                    if (lease.admit(now)) {
                        return 0;
                    }
                    return lease.emptyFor(now);
                } catch (StoreException e) {
                    // the store is away: this gateway's own bucket decides meanwhile
                }
            }
        }
        return buckets.computeIfAbsent(keyId, k -> new Bucket(capacity, now)).take(ratePerSecond, capacity, now);
    }
}
