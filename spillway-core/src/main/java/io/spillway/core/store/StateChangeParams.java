package io.spillway.core.store;

import java.time.Instant;
import java.util.List;

/** Fenced state changes to apply in one transaction at {@code now} (the finish time of terminal ones). */
public record StateChangeParams(List<StateChange> changes, Instant now) implements Params {
    public StateChangeParams {
        changes = List.copyOf(changes);
    }
}
