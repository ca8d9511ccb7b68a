package io.spillway.core.engine;

import io.spillway.core.NewJob;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.QueueStats;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the engine knows of every task's queue, sampled from the store: admission decides on it,
 * the queue order keys new jobs from it, and the order's fronts go back to the store for writers
 * without a scheduler. One sample every {@link Engine#QUEUE_SAMPLE}, on the maintenance thread;
 * keys and checks from any thread.
 */
final class QueueSampler {
    private final JobStore store;
    private final InstantSource clock;
    private final Supplier<List<QueueStats.TaskQueue>> taskQueues;
    private final Admission admission;
    private final QueueOrder order;
    /** What {@link #sample} last published of the queue order (sampled on one thread). */
    private List<QueueStats.Front> published = List.of();

    QueueSampler(JobStore store, InstantSource clock, SchedulingPolicy policy, Supplier<List<QueueStats.TaskQueue>> taskQueues) {
        this.store = store;
        this.clock = clock;
        this.taskQueues = taskQueues;
        this.admission = new Admission(policy);
        this.order = new QueueOrder(policy);
    }

    /** Takes a new sample of the store; throws what the store throws. */
    void sample() {
        var given = order.mark();
        var queues = taskQueues.get();
        admission.refresh(queues);
        order.observe(given, store.jobQueueFront(clock.instant()), queues, clock.instant());
        var fronts = order.fronts();
        if (!fronts.equals(published)) {
            store.jobQueueFrontPublish(fronts);
            published = fronts;
        }
    }

    /** @see Admission#check */
    void admit(NewJob job, Instant now) {
        admission.check(job, now);
    }

    /** @see QueueOrder#keys */
    List<Long> keys(List<NewJob> jobs, Instant now) {
        return order.keys(jobs, now);
    }

    /** The task queues as last sampled. */
    List<QueueStats.TaskQueue> latest() {
        return admission.latest();
    }
}
