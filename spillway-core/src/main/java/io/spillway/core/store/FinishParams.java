package io.spillway.core.store;

import java.time.Instant;
import java.util.List;

/** Fenced transitions to apply in one transaction at {@code now}. */
public record FinishParams(List<Finish> finishes, Instant now) implements Params {
    public FinishParams {
        finishes = List.copyOf(finishes);
    }
}
