package io.spillway.core.store;

import io.spillway.core.Priority;
import java.time.Duration;

/**
 * The queue at a moment, for health checks and autoscaling.
 *
 * @param pending          jobs waiting (including retries waiting for their backoff)
 * @param processing       jobs claimed by some worker
 * @param oldestRunnableAge how long the oldest job that could run now has waited; zero when none
 */
public record QueueStats(long pending, long processing, Duration oldestRunnableAge) {

    /** Pending jobs of one task and priority. */
    public record Depth(String task, Priority priority, long pending) {
    }
}
