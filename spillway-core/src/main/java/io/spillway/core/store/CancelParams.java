package io.spillway.core.store;

import java.time.Instant;

/** Cancel the tenant's job {@code id} if it is still pending. */
public record CancelParams(String tenant, String id, Instant now) implements Params {
}
