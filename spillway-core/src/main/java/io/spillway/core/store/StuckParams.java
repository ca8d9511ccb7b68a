package io.spillway.core.store;

import java.time.Instant;

/**
 * Up to {@code limit} processing jobs whose lease ended before {@code leaseExpiredBefore}: their
 * worker went away. The embedded shape passes {@link Instant#MAX} at start: it owns the store,
 * so every processing job belonged to a process that is gone.
 */
public record StuckParams(Instant leaseExpiredBefore, int limit) implements Params {
}
