package io.spillway.core;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;

/**
 * Job ids: UUID version 7 (RFC 9562), rendered in the usual 36-character form. The first 48
 * bits are the creation time in milliseconds and the next 12 a counter within the millisecond,
 * so ids made by one process sort by creation; listing newest-first is an index scan on the id.
 *
 * <p>Thread-safe.
 */
public final class JobIds {
    private final InstantSource clock;
    // one generator per thread: no lock and no system call per id
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(JobIds::newRandom);
    private long lastMillis;
    private int counter;

    public JobIds(InstantSource clock) {
        this.clock = clock;
    }

    /** A new, unique, time-ordered id. */
    public String next() {
        long millis;
        int seq;
        synchronized (this) {
            millis = Math.max(clock.millis(), lastMillis);
            if (millis == lastMillis) {
                counter++;
                if (counter > 0xFFF) {
                    millis++;
                    counter = 0;
                }
            } else {
                counter = 0;
            }
            lastMillis = millis;
            seq = counter;
        }
        long msb = (millis << 16) | 0x7000L | seq;
        long lsb = (RANDOM.get().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /**
     * The creation time a version 7 id carries (its first 48 bits); {@link Instant#EPOCH} for
     * an id of another version.
     */
    public static Instant timeOf(String id) {
        var uuid = UUID.fromString(id);
        return uuid.version() == 7 ? Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16) : Instant.EPOCH;
    }

    /** True when {@code s} has the shape of a job id (any UUID in canonical lower-case form). */
    public static boolean looksLikeId(String s) {
        if (s == null || s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
