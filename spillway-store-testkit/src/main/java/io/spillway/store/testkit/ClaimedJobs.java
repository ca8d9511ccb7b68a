package io.spillway.store.testkit;

import io.spillway.core.Job;
import io.spillway.core.JobIds;
import io.spillway.core.JobState;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Object mother for a {@link Job} as a handler receives it (claimed, processing, attempt 1):
 * {@code aClaimedJob("embed").input("{...}").build()}. For handler tests that need no store.
 * Not thread-safe.
 */
public final class ClaimedJobs {
    private static final JobIds IDS = new JobIds(InstantSource.system());
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private String id = IDS.next();
    private final String task;
    private String input = "{}";
    private int attempt = 1;
    private int maxAttempts = 3;
    private Priority priority = Priority.STANDARD;

    private ClaimedJobs(String task) {
        this.task = task;
    }

    public static ClaimedJobs aClaimedJob(String task) {
        return new ClaimedJobs(task);
    }

    public ClaimedJobs id(String v) {
        id = v;
        return this;
    }

    public ClaimedJobs input(String json) {
        input = json;
        return this;
    }

    public ClaimedJobs attempt(int v) {
        attempt = v;
        return this;
    }

    public ClaimedJobs priority(Priority v) {
        priority = v;
        return this;
    }

    public ClaimedJobs maxAttempts(int v) {
        maxAttempts = v;
        return this;
    }

    public Job build() {
        return new Job(id, "default", task, JobState.PROCESSING, priority, JobInput.ofJson(input), null, attempt,
                maxAttempts, T0, T0, null, T0.plusSeconds(30), T0, null, null, null, null, null, null);
    }
}
