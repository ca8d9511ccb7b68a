package io.spillway.core.engine;

import io.spillway.core.NewJob;
import io.spillway.core.Priority;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.QueueStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each new job its queue key: claims take a task's runnable jobs in ascending key order, in
 * every process, so the key is the whole scheduling decision. Keys count work: one job of weight 1
 * is {@link #JOB} apart from the next. Three rules make a key:
 *
 * <ul>
 *   <li><b>Fair shares</b> (start-time fair queuing, per task and priority class): each tenant's
 *       jobs are keyed one after another, each {@code JOB / weight} after the tenant's previous
 *       one, and never before where the class's queue stands now (its <i>front</i>: the smallest
 *       key of a claimable job of the class). A tenant that floods the task lines its jobs up far
 *       ahead; one that arrives later starts at the front, so it gets its share at once, and
 *       weights 1 and 3 share a saturated task 1:3.</li>
 *   <li><b>Priority with aging</b>: a class that has nothing queued starts {@code rank ×} the
 *       work the task does in {@code aging} (at its measured drain rate) behind where the queue
 *       stands, so a batch job goes ahead of interactive jobs that arrive about {@code 2 × aging}
 *       after it while one tenant keeps the task busy (with n tenants busy the front moves n times
 *       slower, and aging with it), and a better class never waits behind a worse one that came
 *       at the same time.</li>
 *   <li><b>Deadlines</b>: a job with a deadline is never keyed later than the work from its
 *       class's front to its deadline, less {@code aging}: one whose deadline is nearer than that
 *       moves ahead of its class, and within a class earlier deadlines go first.</li>
 * </ul>
 *
 * <p>Implementation notes. Where the task stands across classes (its <i>virtual time</i>) is the
 * furthest class head less that class's offset. Fronts come from the store's sample
 * ({@link #observe}, every few seconds, in every process: a gateway keys the jobs workers elsewhere
 * claim); between samples they may lag, which gives a new job a few seconds' credit at most. The
 * first sample that finds work takes the task's place from the store, so a restarted process, or
 * another gateway, keys from where the queue stands, not from where it started. When a class has
 * nothing claimable, its front moves to the last key it gave before the sample ({@link #mark}),
 * so no tenant carries a debt into the next burst; an idle task never stands behind the time in
 * microseconds, the scale of keys given without a scheduler. The drain rate sets only where an
 * idle class re-enters, so its changes never reorder jobs within a class. Tags are kept in memory:
 * a restarted process, or each of several gateways, keys a tenant's new jobs from the front (its
 * queued jobs keep their keys). The fronts are published in the store ({@link #fronts}) for
 * writers without a scheduler (the JDBC client). Thread-safe.
 */
final class QueueOrder {
    /** The key distance of one job at weight 1. */
    static final long JOB = 1_000;
    /** A task's drain rate, in jobs per second, before one is measured. */
    static final double DEFAULT_RATE = 100;
    private static final int CLASSES = Priority.values().length;

    private final SchedulingPolicy policy;
    private final double agingSeconds;
    private final Map<String, TaskClock> clocks = new HashMap<>();

    /** Where one task's queue stands, how fast it drains, and each tenant's next key per class. */
    private final class TaskClock {
        /** Where the task stands across classes: a fresh class-0 job's key. */
        long virtualTime;
        /** Per class, the key a job of a tenant with nothing queued gets. */
        final long[] front = new long[CLASSES];
        double ratePerSecond = DEFAULT_RATE;
        /** Whether a sample of the store has been seen. */
        boolean observed;
        final Map<String, long[]> nextKey = new HashMap<>();

        TaskClock(long start) {
            virtualTime = start;
            for (int r = 0; r < CLASSES; r++) {
                front[r] = start + offset(r);
            }
        }

        /** How far behind class 0 a fresh job of class {@code rank} starts: the work of {@code rank × aging}. */
        long offset(int rank) {
            return work(rank * agingSeconds);
        }

        /** The key distance of the work this task does in {@code seconds} (within a century either way). */
        long work(double seconds) {
            return Math.round(Math.clamp(seconds, -3.2e9, 3.2e9) * ratePerSecond * JOB);
        }
    }

    QueueOrder(SchedulingPolicy policy) {
        this.policy = policy;
        this.agingSeconds = policy.aging().toNanos() / 1e9;
    }

    /** The keys of {@code jobs}, about to be inserted at {@code now}, in order. */
    synchronized List<Long> keys(List<NewJob> jobs, Instant now) {
        var keys = new ArrayList<Long>(jobs.size());
        for (var job : jobs) {
            var clock = clock(job.task(), now);
            int rank = job.priority().rank();
            var next = clock.nextKey.computeIfAbsent(job.tenant(), t -> initialKeys());
            long key = Math.max(clock.front[rank], next[rank]);
            next[rank] = key + Math.max(1, JOB / policy.weight(job.tenant()));
            if (job.deadline() != null) {
                key = Math.min(key, clock.front[rank] - clock.work(agingSeconds - secondsBetween(now, job.deadline())));
            }
            keys.add(key);
        }
        return keys;
    }

    /**
     * The furthest key each task's classes owe a tenant next: taken just before the store is
     * sampled, so {@link #observe} moves an idle class's front only past keys the sample could
     * have seen.
     */
    synchronized Map<String, long[]> mark() {
        var mark = new HashMap<String, long[]>();
        clocks.forEach((task, clock) -> {
            var last = initialKeys();
            for (var next : clock.nextKey.values()) {
                for (int r = 0; r < CLASSES; r++) {
                    last[r] = Math.max(last[r], next[r]);
                }
            }
            mark.put(task, last);
        });
        return mark;
    }

    /**
     * A new sample of the store, taken after {@code mark}: the front of each task's classes (a
     * pair absent: nothing of it is claimable) and each task's queue (its drain rate).
     */
    synchronized void observe(Map<String, long[]> mark, List<QueueStats.Front> fronts, List<QueueStats.TaskQueue> queues,
                              Instant now) {
        for (var q : queues) {
            if (q.drainPerSecond() > 0) {
                clock(q.task(), now).ratePerSecond = q.drainPerSecond();
            }
        }
        var heads = new HashMap<String, long[]>();
        for (var f : fronts) {
            clock(f.task(), now);
            heads.computeIfAbsent(f.task(), t -> initialKeys())[f.priority().rank()] = f.key();
        }
        long wall = InsertParams.micros(now);
        for (var e : clocks.entrySet()) {
            var clock = e.getValue();
            var head = heads.getOrDefault(e.getKey(), initialKeys());
            var given = mark.get(e.getKey());
            boolean busy = false;
            long headsAt = Long.MIN_VALUE;
            for (int r = 0; r < CLASSES; r++) {
                if (head[r] != Long.MIN_VALUE) {
                    busy = true;
                    headsAt = Math.max(headsAt, head[r] - clock.offset(r));
                }
            }
            if (!clock.observed && busy) {
                // first sight of a queue with work in it: take its place from the store, whatever
                // this process started from (another process, or this one before a restart, keyed it)
                clock.virtualTime = headsAt;
                for (int r = 0; r < CLASSES; r++) {
                    if (head[r] != Long.MIN_VALUE) {
                        clock.front[r] = head[r];
                    }
                }
            }
            clock.observed = true;
            if (busy) {
                clock.virtualTime = Math.max(clock.virtualTime, headsAt);
            } else {
                // idle: it stands where the keys the sample could see left it, and never behind the time
                for (int r = 0; r < CLASSES && given != null; r++) {
                    if (given[r] != Long.MIN_VALUE) {
                        clock.virtualTime = Math.max(clock.virtualTime, given[r] - clock.offset(r));
                    }
                }
                clock.virtualTime = Math.max(clock.virtualTime, wall);
            }
            for (int r = 0; r < CLASSES; r++) {
                if (head[r] != Long.MIN_VALUE) {
                    clock.front[r] = Math.max(clock.front[r], head[r]);
                } else {
                    // nothing of the class waits: it re-enters at its offset, behind what it owed before the sample
                    long owed = given == null ? Long.MIN_VALUE : given[r];
                    clock.front[r] = Math.max(owed, clock.virtualTime + clock.offset(r));
                }
            }
            clock.nextKey.values().removeIf(keys -> behind(keys, clock.front));
        }
    }

    /** Each task's class fronts: where a job of a tenant with nothing queued goes now. */
    synchronized List<QueueStats.Front> fronts() {
        var out = new ArrayList<QueueStats.Front>();
        clocks.forEach((task, clock) -> {
            for (var p : Priority.values()) {
                out.add(new QueueStats.Front(task, p, clock.front[p.rank()]));
            }
        });
        return out;
    }

    /** Where {@code task} stands across classes, as last known (for tests); null before anything of it was seen. */
    synchronized Long virtualTime(String task) {
        var clock = clocks.get(task);
        return clock == null ? null : clock.virtualTime;
    }

    private TaskClock clock(String task, Instant now) {
        return clocks.computeIfAbsent(task, t -> new TaskClock(InsertParams.micros(now)));
    }

    /** Seconds from {@code a} to {@code b}, for any two instants (no overflow). */
    private static double secondsBetween(Instant a, Instant b) {
        return (b.getEpochSecond() - a.getEpochSecond()) + (b.getNano() - a.getNano()) / 1e9;
    }

    private static long[] initialKeys() {
        var keys = new long[CLASSES];
        Arrays.fill(keys, Long.MIN_VALUE);
        return keys;
    }

    private static boolean behind(long[] keys, long[] front) {
        for (int r = 0; r < CLASSES; r++) {
            if (keys[r] > front[r]) {
                return false;
            }
        }
        return true;
    }
}
