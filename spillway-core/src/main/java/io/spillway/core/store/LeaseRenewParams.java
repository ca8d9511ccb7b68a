package io.spillway.core.store;

import io.spillway.core.JobRef;
import java.time.Instant;
import java.util.List;

/** Extend the leases of these claims (those still processing under the same attempt) to {@code leaseUntil}. */
public record LeaseRenewParams(List<JobRef> refs, Instant leaseUntil, Instant now) implements Params {
    public LeaseRenewParams {
        refs = List.copyOf(refs);
    }
}
