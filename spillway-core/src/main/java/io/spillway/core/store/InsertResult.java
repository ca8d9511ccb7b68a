package io.spillway.core.store;

import io.spillway.core.Job;

/**
 * The job a {@link io.spillway.core.NewJob} resolved to: the new row ({@code created}), or the
 * job that already held the same tenant and idempotency key ({@code !created}).
 */
public record InsertResult(Job job, boolean created) {
}
