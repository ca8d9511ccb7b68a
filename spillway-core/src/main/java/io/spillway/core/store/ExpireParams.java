package io.spillway.core.store;

import java.time.Instant;

/** Move up to {@code limit} pending jobs whose deadline is at or before {@code now} to expired. */
public record ExpireParams(Instant now, int limit) implements Params {
}
