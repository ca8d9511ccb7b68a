package io.spillway.core.store;

import java.time.Instant;

/** Up to {@code limit} pending jobs whose deadline is at or before {@code now}. */
public record PastDeadlineParams(Instant now, int limit) implements Params {
}
