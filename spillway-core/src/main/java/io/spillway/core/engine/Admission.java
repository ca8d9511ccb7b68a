package io.spillway.core.engine;

import io.spillway.core.NewJob;
import io.spillway.core.store.QueueStats;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deadline-aware admission on the latest sample of every task's queue: a job whose deadline the
 * work ahead of it (its task's pending jobs at its priority or better, at the rate the task
 * drained over the last minute, in every process) cannot meet is refused. Without a measured
 * rate (nothing of the task ended lately) a job is admitted. Thread-safe: the sample is replaced
 * whole.
 */
final class Admission {
    private volatile List<QueueStats.TaskQueue> latest = List.of();
    private volatile Map<String, QueueStats.TaskQueue> byTask = Map.of();

    /** Takes a new sample of the task queues. */
    void refresh(List<QueueStats.TaskQueue> queues) {
        var map = new HashMap<String, QueueStats.TaskQueue>();
        for (var q : queues) {
            map.put(q.task(), q);
        }
        byTask = Map.copyOf(map);
        latest = List.copyOf(queues);
    }

    /** The latest sample, for whoever reports it (metrics). */
    List<QueueStats.TaskQueue> latest() {
        return latest;
    }

    /** @throws DeadlineUnreachableException with the estimate, when the job's deadline cannot be met */
    void check(NewJob job, Instant now) {
        var queue = byTask.get(job.task());
        if (job.deadline() == null || queue == null || queue.drainPerSecond() <= 0) {
            return;
        }
        long ahead = 0;
        for (var e : queue.pending().entrySet()) {
            if (e.getKey().rank() <= job.priority().rank()) {
                ahead += e.getValue();
            }
        }
        double needSeconds = ahead / queue.drainPerSecond();
        double haveSeconds = Duration.between(now, job.deadline()).toMillis() / 1000.0;
        if (ahead > 0 && needSeconds > haveSeconds) {
            var retryAfter = Duration.ofMillis(Math.max(1_000, (long) ((needSeconds - Math.max(0, haveSeconds)) * 1000)));
            throw new DeadlineUnreachableException("about " + Math.round(needSeconds) + " s of work ahead of this job at priority "
                    + job.priority().wireName() + " (" + ahead + " jobs of task " + job.task() + " at "
                    + queue.drainPerSecond() + " per second); deadline in " + Math.max(0, Math.round(haveSeconds)) + " s",
                    retryAfter);
        }
    }
}
