package io.spillway.core.store;

import java.time.Instant;

/**
 * Recover up to {@code limit} processing jobs whose lease ended before {@code leaseExpiredBefore}
 * (their worker died): back to pending at {@code now} while attempts remain, else failed.
 * The embedded shape passes {@link Instant#MAX} at start: it owns the store, so every
 * processing job belonged to a process that is gone.
 */
public record RescueParams(Instant leaseExpiredBefore, Instant now, int limit) implements Params {
}
