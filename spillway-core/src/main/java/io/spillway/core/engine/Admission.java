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
 * drained over the last minute, in every process) cannot meet is refused, and so is one that
 * would wait longer than its priority's queue limit ({@link SchedulingPolicy#maxQueue()}). Without a measured
 * rate (nothing of the task ended lately) a job is admitted. Thread-safe: the sample is replaced
 * whole.
 */
final class Admission {
    private final SchedulingPolicy policy;
    private volatile List<QueueStats.TaskQueue> latest = List.of();
    private volatile Map<String, QueueStats.TaskQueue> byTask = Map.of();

    Admission(SchedulingPolicy policy) {
        this.policy = policy;
    }

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

    /**
     * @throws AdmissionRefusedException with the estimate, when the job's deadline cannot be met
     *         or it would wait longer than its priority's queue limit
     */
    void check(NewJob job, Instant now) {
        var limit = policy.maxQueue().get(job.priority());
        var queue = byTask.get(job.task());
        if ((job.deadline() == null && limit == null) || queue == null || queue.drainPerSecond() <= 0) {
            return;
        }
        long ahead = 0;
        for (var e : queue.pending().entrySet()) {
            if (e.getKey().rank() <= job.priority().rank()) {
                ahead += e.getValue();
            }
        }
        if (ahead == 0) {
            return;
        }
        double needSeconds = ahead / queue.drainPerSecond();
        var estimate = "about " + Math.round(needSeconds) + " s of work ahead of this job at priority "
                + job.priority().wireName() + " (" + ahead + " jobs of task " + job.task() + " at "
                + queue.drainPerSecond() + " per second)";
        if (job.deadline() != null) {
            double haveSeconds = Duration.between(now, job.deadline()).toMillis() / 1000.0;
            if (needSeconds > haveSeconds) {
                throw new AdmissionRefusedException("the deadline cannot be met: " + estimate + "; deadline in "
                        + Math.max(0, Math.round(haveSeconds)) + " s; nothing was recorded: give it a later deadline or retry later",
                        retryAfter(needSeconds - Math.max(0, haveSeconds)));
            }
        }
        if (limit != null && needSeconds > limit.toMillis() / 1000.0) {
            throw new AdmissionRefusedException("the queue is full: " + estimate + "; the limit at this priority is "
                    + limit.toSeconds() + " s (max_queue_seconds); nothing was recorded: retry later",
                    retryAfter(needSeconds - limit.toMillis() / 1000.0));
        }
    }

    private static Duration retryAfter(double seconds) {
        return Duration.ofMillis(Math.max(1_000, (long) (seconds * 1000)));
    }
}
