package io.spillway.core.store;

import io.spillway.core.NewJob;
import java.time.Instant;
import java.util.List;

/** Jobs to insert in one transaction, as {@code pending}, runnable at {@code now}. */
public record InsertParams(List<NewJob> jobs, Instant now) implements Params {
    public InsertParams {
        jobs = List.copyOf(jobs);
    }
}
