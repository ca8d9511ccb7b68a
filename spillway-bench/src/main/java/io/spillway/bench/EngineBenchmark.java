package io.spillway.bench;

import io.spillway.core.Job;
import io.spillway.core.JobIds;
import io.spillway.core.NewJob;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.engine.Engine;
import io.spillway.core.engine.EngineConfig;
import io.spillway.core.store.InsertResult;
import io.spillway.core.store.ListParams;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import io.spillway.store.sqlite.Durability;
import io.spillway.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.HdrHistogram.Histogram;

/**
 * The engine and the SQLite store alone, in process, without HTTP: {@code spillway bench engine}.
 * Answers two questions: how many no-op jobs per second go from submit to a recorded completion,
 * and how long a committed job waits before its handler starts on an idle engine.
 */
public final class EngineBenchmark {
    private EngineBenchmark() {
    }

    /** A no-op task that notes when each job's handler started. */
    private static final class NoopTask implements TaskHandler {
        final ConcurrentHashMap<String, Long> startedNanos = new ConcurrentHashMap<>();
        volatile boolean recordStarts;

        @Override
        public String name() {
            return "noop";
        }

        @Override
        public int maxBatchSize() {
            return 256;
        }

        @Override
        public List<Outcome> run(List<Job> batch) {
            long now = System.nanoTime();
            var out = new ArrayList<Outcome>(batch.size());
            for (Job j : batch) {
                if (recordStarts) {
                    startedNanos.put(j.id(), now);
                }
                out.add(Outcome.completed("{}"));
            }
            return out;
        }
    }

    /**
     * Submits {@code jobs} no-op jobs from {@code submitters} threads (at most {@code window}
     * waiting for their commit each), waits until all are recorded, then measures the pickup
     * delay of {@code probes} jobs submitted one at a time.
     */
    public static LoadReport run(Path dir, Durability durability, int jobs, int submitters, int probes, int workerThreads)
            throws Exception {
        var task = new NoopTask();
        var clock = InstantSource.system();
        var ids = new JobIds(clock);
        var report = LoadReport.builder().put("jobs", jobs).put("submitters", submitters)
                .put("durability", durability.wireName());
        try (var store = SqliteJobStore.open(dir.resolve("engine-bench.db"), durability)) {
            var engine = new Engine(store, TaskRegistry.builder().register(task).build(),
                    EngineConfig.defaults(workerThreads), clock);
            engine.start();
            try {
                var start = Instant.now();
                long t0 = System.nanoTime();
                var threads = new ArrayList<Thread>();
                var lastIds = new ConcurrentHashMap<Integer, String>();
                for (int s = 0; s < submitters; s++) {
                    int me = s;
                    threads.add(Thread.ofPlatform().start(() -> {
                        var window = new Semaphore(256);
                        for (int i = me; i < jobs; i += submitters) {
                            window.acquireUninterruptibly();
                            var f = engine.submit(newJob(ids));
                            f.whenComplete((r, e) -> window.release());
                            if (i + submitters >= jobs) {
                                lastIds.put(me, f.join().job().id());
                            }
                        }
                        window.acquireUninterruptibly(256);
                    }));
                }
                for (var t : threads) {
                    t.join();
                }
                double submitSeconds = (System.nanoTime() - t0) / 1e9;
                for (var id : lastIds.values()) {
                    engine.awaitTerminal("default", id, Duration.ofMinutes(5)).join();
                }
                while (store.jobCountPending() > 0 || engine.inFlight() > 0) {
                    Thread.sleep(5);
                }
                var latest = latestFinish(engine, jobs);
                double seconds = Duration.between(start, latest).toNanos() / 1e9;
                report.put("submit_jobs_per_s", jobs / submitSeconds)
                        .put("e2e_s", seconds)
                        .put("e2e_jobs_per_s", jobs / seconds);

                task.recordStarts = true;
                var pickup = new Histogram(60_000_000_000L, 3);
                var submitToCommit = new Histogram(60_000_000_000L, 3);
                for (int p = 0; p < probes; p++) {
                    long[] committed = new long[1];
                    long before = System.nanoTime();
                    CompletableFuture<InsertResult> f = engine.submit(newJob(ids));
                    // stamped by the thread that completes the future, right after the commit
                    var id = f.thenApply(r -> {
                        committed[0] = System.nanoTime();
                        return r;
                    }).join().job().id();
                    engine.awaitTerminal("default", id, Duration.ofSeconds(30)).join();
                    long started = task.startedNanos.remove(id);
                    submitToCommit.recordValue(Math.max(0, committed[0] - before));
                    pickup.recordValue(Math.max(0, started - committed[0]));
                    Thread.sleep(2);
                }
                report.put("probes", probes)
                        .put("commit_p50_ms", submitToCommit.getValueAtPercentile(50) / 1e6)
                        .put("commit_p99_ms", submitToCommit.getValueAtPercentile(99) / 1e6)
                        .put("pickup_p50_ms", pickup.getValueAtPercentile(50) / 1e6)
                        .put("pickup_p99_ms", pickup.getValueAtPercentile(99) / 1e6)
                        .put("pickup_max_ms", pickup.getMaxValue() / 1e6);
            } finally {
                engine.shutdown(Duration.ofSeconds(5));
            }
        }
        return report.build();
    }

    private static Instant latestFinish(Engine engine, int jobs) {
        var page = engine.list(new ListParams("default", null, null, 1000, null));
        Instant latest = Instant.EPOCH;
        for (var j : page.jobs()) {
            if (j.finishedAt() != null && j.finishedAt().isAfter(latest)) {
                latest = j.finishedAt();
            }
        }
        return latest;
    }

    private static final JobInput INPUT = JobInput.ofJson("{\"n\":1}");

    private static NewJob newJob(JobIds ids) {
        return new NewJob(ids.next(), "default", "noop", INPUT, Priority.STANDARD, 3, null, null, null, null, null);
    }
}
