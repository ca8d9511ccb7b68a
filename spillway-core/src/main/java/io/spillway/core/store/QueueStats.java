package io.spillway.core.store;

import io.spillway.core.Priority;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queue at a moment, for health checks and autoscaling.
 *
 * @param pending          jobs waiting (including retries waiting for their backoff)
 * @param processing       jobs claimed by some worker
 * @param oldestRunnableAge how long the oldest job that could run now has waited; zero when none
 */
public record QueueStats(long pending, long processing, Duration oldestRunnableAge) {

    /** The smallest queue key of a claimable job of one task and priority. */
    public record Front(String task, Priority priority, long key) {
    }

    /** Pending jobs of one task and priority. */
    public record Depth(String task, Priority priority, long pending) {
    }

    /**
     * What one task is doing across every process sharing the store.
     *
     * @param running  its jobs processing now
     * @param finished its jobs that ended (completed, failed, cancelled, expired) in the window
     *                 the caller asked about
     */
    public record Activity(String task, long running, long finished) {
    }

    /**
     * One task's queue: the autoscaling signal. The drain rate is measured over the store's jobs
     * (every process), so a gateway that runs nothing reports it too.
     *
     * @param pending           waiting jobs by priority (every priority present, zero when none)
     * @param running           processing now
     * @param drainPerSecond    jobs that ended per second over the last window
     * @param timeToDrainSeconds pending ÷ drain rate; zero when nothing waits; null when jobs wait
     *                          and none has ended in the window (no estimate yet)
     */
    public record TaskQueue(String task, Map<Priority, Long> pending, long running, double drainPerSecond,
                            Double timeToDrainSeconds) {
        public TaskQueue {
            pending = Collections.unmodifiableMap(new EnumMap<>(pending));
        }

        public long pendingTotal() {
            return pending.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Joins depth and activity per task; {@code window} is what the activity's finished count covers. */
        public static List<TaskQueue> of(List<Depth> depth, List<Activity> activity, Duration window) {
            var pending = new TreeMap<String, EnumMap<Priority, Long>>();
            for (var d : depth) {
                pending.computeIfAbsent(d.task(), t -> zeros()).merge(d.priority(), d.pending(), Long::sum);
            }
            var active = new TreeMap<String, Activity>();
            for (var a : activity) {
                active.put(a.task(), a);
                pending.computeIfAbsent(a.task(), t -> zeros());
            }
            var out = new ArrayList<TaskQueue>(pending.size());
            for (var e : pending.entrySet()) {
                var a = active.getOrDefault(e.getKey(), new Activity(e.getKey(), 0, 0));
                double rate = a.finished() / (window.toMillis() / 1000.0);
                long waiting = e.getValue().values().stream().mapToLong(Long::longValue).sum();
                Double ttd = waiting == 0 ? Double.valueOf(0) : rate > 0 ? Double.valueOf(Math.round(waiting / rate * 10) / 10.0) : null;
                out.add(new TaskQueue(e.getKey(), e.getValue(), a.running(), Math.round(rate * 1000) / 1000.0, ttd));
            }
            return out;
        }

        private static EnumMap<Priority, Long> zeros() {
            var m = new EnumMap<Priority, Long>(Priority.class);
            for (var p : Priority.values()) {
                m.put(p, 0L);
            }
            return m;
        }
    }
}
