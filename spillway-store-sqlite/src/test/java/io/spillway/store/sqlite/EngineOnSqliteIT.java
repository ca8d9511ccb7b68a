package io.spillway.store.sqlite;

import static io.spillway.store.testkit.NewJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.spillway.core.Backoff;
import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.Lifecycle;
import io.spillway.core.Outcome;
import io.spillway.core.engine.Engine;
import io.spillway.core.engine.EngineClosedException;
import io.spillway.core.engine.EngineConfig;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.StateChangeParams;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.InsertResult;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import io.spillway.core.tasks.EchoTask;
import io.spillway.store.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine end to end on a real SQLite file: threads, group commit, leases, retries. */
class EngineOnSqliteIT {
    @TempDir
    Path dir;

    private SqliteJobStore store;
    private Engine engine;

    private static final Backoff FAST = new Backoff(Duration.ofMillis(5), Duration.ofMillis(20), new SplittableRandom(3));

    private Engine start(EngineConfig config, InstantSource clock, TaskHandler... handlers) {
        store = SqliteJobStore.open(dir.resolve("jobs.db"), Durability.CRASH);
        var registry = TaskRegistry.builder();
        for (var h : handlers) {
            registry.register(h);
        }
        engine = new Engine(store, registry.build(), config, clock);
        engine.start();
        return engine;
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.shutdown(Duration.ofSeconds(5));
        }
        if (store != null) {
            store.close();
        }
    }

    private Job awaitTerminal(String id) {
        return engine.awaitTerminal("default", id, Duration.ofSeconds(20)).join().orElseThrow();
    }

    @Test
    void handlersThatWaitOnIo_holdNoCpuWorker() {
        var release = new CountDownLatch(1);
        var waiting = new AtomicInteger();
        var remote = new TaskHandler() {
            @Override
            public String name() {
                return "remote";
            }

            @Override
            public boolean waitsOnIo() {
                return true;
            }

            @Override
            public List<Outcome> run(List<Job> batch) throws InterruptedException {
                waiting.incrementAndGet();
                release.await();
                return batch.stream().map(j -> Outcome.completed("{}")).toList();
            }
        };
        start(EngineConfig.defaults(1).withBackoff(FAST), InstantSource.system(), new EchoTask(), remote);
        var slow = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            slow.add(engine.submit(aNewJob().task("remote").build()).join().job().id());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() == 5);

        var echo = engine.submit(aNewJob().input("{\"x\":1}").build()).join().job().id();

        assertThat(awaitTerminal(echo).state()).as("the one CPU worker is free").isEqualTo(JobState.COMPLETED);
        release.countDown();
        slow.forEach(id -> assertThat(awaitTerminal(id).state()).isEqualTo(JobState.COMPLETED));
    }

    @Test
    void submit_runsEchoJobsToCompletion() {
        start(EngineConfig.defaults(2).withBackoff(FAST), InstantSource.system(), new EchoTask());
        var futures = new ArrayList<CompletableFuture<InsertResult>>();
        for (int i = 0; i < 2000; i++) {
            futures.add(engine.submit(aNewJob().input("{\"i\":" + i + "}").build()));
        }
        var ids = futures.stream().map(f -> f.join().job().id()).toList();

        for (int i = 0; i < ids.size(); i += 97) {
            var job = awaitTerminal(ids.get(i));
            assertThat(job.state()).isEqualTo(JobState.COMPLETED);
            assertThat(job.result()).isEqualTo("{\"i\":" + i + "}");
            assertThat(job.attempt()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> store.jobCountPending() == 0 && engine.inFlight() == 0);
    }

    @Test
    void handlerBatches_neverExceedTheHandlersMaxBatchSize() {
        var sizes = new ConcurrentHashMap<Integer, Boolean>();
        var handler = new TaskHandler() {
            @Override
            public String name() {
                return "batched";
            }

            @Override
            public int maxBatchSize() {
                return 8;
            }

            @Override
            public List<Outcome> run(List<Job> batch) {
                sizes.put(batch.size(), true);
                return batch.stream().map(j -> Outcome.completed("{}")).toList();
            }
        };
        start(EngineConfig.defaults(2), InstantSource.system(), handler);
        var jobs = new ArrayList<io.spillway.core.NewJob>();
        for (int i = 0; i < 300; i++) {
            jobs.add(aNewJob().task("batched").build());
        }
        var futures = jobs.stream().map(engine::submit).toList();
        var last = futures.getLast().join().job().id();

        assertThat(awaitTerminal(last).state()).isEqualTo(JobState.COMPLETED);
        assertThat(sizes.keySet()).allMatch(n -> n >= 1 && n <= 8);
    }

    @Test
    void failingHandler_retriesWithBackoffThenFailsWithTheLastError() {
        var calls = new AtomicInteger();
        var handler = new TaskHandler() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public List<Outcome> run(List<Job> batch) {
                throw new IllegalStateException("model unavailable (call " + calls.incrementAndGet() + ")");
            }
        };
        start(EngineConfig.defaults(2).withBackoff(FAST), InstantSource.system(), handler);

        var id = engine.submit(aNewJob().task("flaky").maxAttempts(3).build()).join().job().id();
        var job = awaitTerminal(id);

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.attempt()).isEqualTo(3);
        assertThat(job.error()).isEqualTo("failed after 3 attempts: IllegalStateException: model unavailable (call 3)");
    }

    @Test
    void retryOutcome_succeedsOnALaterAttempt() {
        var handler = new TaskHandler() {
            @Override
            public String name() {
                return "second-time-lucky";
            }

            @Override
            public List<Outcome> run(List<Job> batch) {
                return batch.stream().map(j -> j.attempt() < 2 ? Outcome.retry("not yet") : Outcome.completed("{\"ok\":1}")).toList();
            }
        };
        start(EngineConfig.defaults(2).withBackoff(FAST), InstantSource.system(), handler);

        var id = engine.submit(aNewJob().task("second-time-lucky").build()).join().job().id();

        var job = awaitTerminal(id);
        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.attempt()).isEqualTo(2);
    }

    @Test
    void logLinesWrittenByAHandler_carryTheJobTaskAndAttempt() {
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("test.handler");
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
        var handler = new TaskHandler() {
            @Override
            public String name() {
                return "logging";
            }

            @Override
            public List<Outcome> run(List<Job> batch) {
                logger.info("working");
                return batch.stream().map(j -> Outcome.completed("{}")).toList();
            }
        };
        start(EngineConfig.defaults(2), InstantSource.system(), handler);
        try {
            var id = engine.submit(aNewJob().task("logging").build()).join().job().id();
            awaitTerminal(id);

            assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getMDCPropertyMap())
                    .containsEntry("job_id", id).containsEntry("task", "logging").containsEntry("attempt", "1"));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void unknownTaskInTheStore_failsWithAClearError() {
        start(EngineConfig.defaults(2), InstantSource.system(), new EchoTask());

        var id = engine.submit(aNewJob().task("gone").build()).join().job().id();

        var job = awaitTerminal(id);
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.error()).contains("no handler for task 'gone'");
    }

    @Test
    void expiredLeaseOfADeadWorker_runsAgainAndTheLateResultIsDiscarded() {
        var clock = new MutableClock(Instant.now());
        var config = EngineConfig.defaults(2).withOwnsStore(false)
                .withLease(Duration.ofSeconds(30), Duration.ofMillis(20));
        // a "dead" worker claims the job first, straight through the store
        var dbStore = SqliteJobStore.open(dir.resolve("jobs.db"), Durability.CRASH);
        var nj = aNewJob().build();
        dbStore.jobInsertMany(new InsertParams(List.of(nj), clock.instant()));
        var deadClaim = dbStore.jobClaim(new ClaimParams(1, clock.instant(), clock.instant().plusSeconds(30), "dead")).getFirst();
        dbStore.close();

        start(config, clock, new EchoTask());
        assertThat(engine.get("default", nj.id()).orElseThrow().state()).isEqualTo(JobState.PROCESSING);
        clock.advance(Duration.ofSeconds(31));

        var job = awaitTerminal(nj.id());
        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.attempt()).isEqualTo(2);
        var late = store.jobSetStateMany(new StateChangeParams(List.of(Lifecycle.finish(deadClaim,
                Outcome.completed("{\"late\":1}"), clock.instant(), null)), clock.instant()));
        assertThat(late).containsExactly(false);
        assertThat(engine.get("default", nj.id()).orElseThrow().result()).isEqualTo(nj.input());
    }

    @Test
    void start_inAnOwnedStoreRecoversJobsLeftProcessing() {
        var nj = aNewJob().build();
        try (var s = SqliteJobStore.open(dir.resolve("jobs.db"), Durability.CRASH)) {
            s.jobInsertMany(new InsertParams(List.of(nj), Instant.now()));
            s.jobClaim(new ClaimParams(1, Instant.now(), Instant.now().plusSeconds(3600), "crashed"));
        }

        start(EngineConfig.defaults(2), InstantSource.system(), new EchoTask());

        assertThat(awaitTerminal(nj.id()).state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void awaitTerminal_returnsTheCurrentStateWhenTheWaitEnds() {
        var release = new CountDownLatch(1);
        var handler = blocking(release);
        start(EngineConfig.defaults(2), InstantSource.system(), handler);
        var id = engine.submit(aNewJob().task("blocking").build()).join().job().id();

        var job = engine.awaitTerminal("default", id, Duration.ofMillis(200)).join().orElseThrow();
        assertThat(job.state()).isIn(JobState.PENDING, JobState.PROCESSING);

        var waiting = engine.awaitTerminal("default", id, Duration.ofSeconds(20));
        release.countDown();
        assertThat(waiting.join().orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(engine.awaitTerminal("default", "no-such-job", Duration.ofSeconds(1)).join()).isEmpty();
    }

    @Test
    void cancel_pendingJobNeverRuns() {
        var release = new CountDownLatch(1);
        var config = EngineConfig.defaults(1).withLimits(1, 1024).withBackoff(FAST);
        start(config, InstantSource.system(), blocking(release));
        var first = engine.submit(aNewJob().task("blocking").build()).join().job().id();
        var second = engine.submit(aNewJob().task("blocking").build()).join().job().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.inFlight() == 1);

        var waiter = engine.awaitTerminal("default", second, Duration.ofSeconds(20));
        var cancelled = engine.cancel("default", second).orElseThrow();
        release.countDown();

        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(waiter.join().orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(awaitTerminal(first).state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void shutdown_releasesJobsStillRunningAfterTheDrainAndRefusesNewOnes() throws Exception {
        var release = new CountDownLatch(1);
        start(EngineConfig.defaults(2), InstantSource.system(), blocking(release));
        var id = engine.submit(aNewJob().task("blocking").build()).join().job().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.inFlight() == 1);
        var longPoll = engine.awaitTerminal("default", id, Duration.ofSeconds(60));

        engine.shutdown(Duration.ofMillis(100));
        release.countDown();

        assertThatThrownBy(() -> engine.submit(aNewJob().build())).isInstanceOf(EngineClosedException.class);
        assertThat(longPoll.get(10, TimeUnit.SECONDS)).get().extracting(Job::state).isIn(JobState.PROCESSING, JobState.PENDING);
        var job = store.jobGet("default", id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.PENDING);
        engine = null;
    }

    @Test
    void deadline_pendingJobExpiresWhenNotStartedInTime() {
        var release = new CountDownLatch(1);
        var config = EngineConfig.defaults(1).withLimits(1, 1024).withBackoff(FAST)
                .withLease(Duration.ofSeconds(30), Duration.ofMillis(20));
        start(config, InstantSource.system(), blocking(release));
        engine.submit(aNewJob().task("blocking").build()).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.inFlight() == 1);

        var id = engine.submit(aNewJob().task("blocking").deadline(Instant.now().plusMillis(50)).build()).join().job().id();

        var job = awaitTerminal(id);
        release.countDown();
        assertThat(job.state()).isEqualTo(JobState.EXPIRED);
        assertThat(job.error()).contains("deadline");
    }

    private static TaskHandler blocking(CountDownLatch release) {
        return new TaskHandler() {
            @Override
            public String name() {
                return "blocking";
            }

            @Override
            public List<Outcome> run(List<Job> batch) throws InterruptedException {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test never released the handler");
                }
                return batch.stream().map(j -> Outcome.completed("{}")).toList();
            }
        };
    }
}
