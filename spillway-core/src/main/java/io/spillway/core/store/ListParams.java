package io.spillway.core.store;

import io.spillway.core.JobState;

/**
 * A page of the tenant's jobs ({@link JobStore#ANY_TENANT}: everyone's), newest first. Null filters match everything; {@code afterId},
 * when not null, starts the page after that id (exclusive).
 */
public record ListParams(String tenant, JobState state, String task, int limit, String afterId) implements Params {
    public ListParams {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
    }
}
