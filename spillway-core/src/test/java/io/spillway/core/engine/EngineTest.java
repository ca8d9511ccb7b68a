package io.spillway.core.engine;

import static io.spillway.core.engine.TestJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.Lifecycle;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.builtin.EchoTask;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.InMemoryJobStore;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.InsertResult;
import io.spillway.core.store.StateChangeParams;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on the in-memory store and a manual clock: threads, group commit, batching, leases,
 * retries, deadlines, long polls and shutdown, with every wait driven by {@link ManualTime}.
 */
class EngineTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** Bounds a test that would otherwise hang on a bug; nothing here waits for time to pass. */
    private static final long GUARD_SECONDS = 20;

    private final ManualTime time = new ManualTime(T0);
    private final InMemoryJobStore store = new InMemoryJobStore();
    private Engine engine;

    private void start(EngineConfig config, TaskHandler... handlers) {
        var registry = TaskRegistry.builder();
        for (var h : handlers) {
            registry.register(h);
        }
        engine = new Engine(store, registry.build(), config, (Scheduler) time, EngineListener.NONE);
        engine.start();
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.shutdown(Duration.ofSeconds(5));
        }
        store.close();
    }

    private String submit(TestJobs job) {
        return engine.submit(job.build()).join().job().id();
    }

    private Job awaitTerminal(String id) {
        try {
            return engine.awaitTerminal("default", id, Duration.ofDays(1)).get(GUARD_SECONDS, TimeUnit.SECONDS).orElseThrow();
        } catch (Exception e) {
            throw new AssertionError("job " + id + " did not finish: " + store.jobGet("default", id), e);
        }
    }

    /** Advances the clock a step at a time until the job is terminal. */
    private Job advanceUntilTerminal(String id, Duration step) {
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).pollInterval(Duration.ofMillis(5)).until(() -> {
            time.advance(step);
            return store.jobGet("default", id).orElseThrow().state().isTerminal();
        });
        return store.jobGet("default", id).orElseThrow();
    }

    @Test
    void submit_runsJobsToCompletion() {
        start(EngineConfig.defaults(2), new EchoTask());
        var futures = new ArrayList<CompletableFuture<InsertResult>>();
        for (int i = 0; i < 500; i++) {
            futures.add(engine.submit(aNewJob("echo").input("{\"i\":" + i + "}").build()));
        }
        var ids = futures.stream().map(f -> f.join().job().id()).toList();

        for (int i = 0; i < ids.size(); i += 37) {
            var job = awaitTerminal(ids.get(i));
            assertThat(job.state()).isEqualTo(JobState.COMPLETED);
            assertThat(job.result()).isEqualTo("{\"i\":" + i + "}");
            assertThat(job.attempt()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> store.jobCountPending() == 0 && engine.inFlight() == 0);
    }

    @Test
    void handlerBatches_neverExceedTheHandlersMaxBatchSize() {
        var sizes = new ConcurrentHashMap<Integer, Integer>();
        var batching = new TaskHandler() {
            @Override
            public String name() {
                return "batching";
            }

            @Override
            public int maxBatchSize() {
                return 8;
            }

            @Override
            public List<Outcome> run(List<Job> batch) {
                sizes.merge(batch.size(), 1, Integer::sum);
                return batch.stream().map(j -> Outcome.completed("{}")).toList();
            }
        };
        start(EngineConfig.defaults(2), batching);
        String last = null;
        for (int i = 0; i < 300; i++) {
            last = submit(aNewJob("batching"));
        }

        assertThat(awaitTerminal(last).state()).isEqualTo(JobState.COMPLETED);
        assertThat(sizes.keySet()).allMatch(n -> n >= 1 && n <= 8);
    }

    @Test
    void failingHandler_retriesAfterItsBackoffThenFailsWithTheLastError() {
        var calls = new AtomicInteger();
        var flaky = handler("flaky", batch -> {
            throw new IllegalStateException("model unavailable (call " + calls.incrementAndGet() + ")");
        });
        start(EngineConfig.defaults(2), flaky);

        var id = submit(aNewJob("flaky").maxAttempts(3));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> calls.get() == 1);
        assertThat(store.jobGet("default", id).orElseThrow().state()).as("waits for its backoff").isEqualTo(JobState.PENDING);
        var job = advanceUntilTerminal(id, Duration.ofSeconds(1));

        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.attempt()).isEqualTo(3);
        assertThat(job.error()).isEqualTo("failed after 3 attempts: IllegalStateException: model unavailable (call 3)");
        assertThat(Duration.between(T0, time.instant())).as("two backoffs passed on the clock").isPositive();
    }

    @Test
    void aPostponedJob_runsLaterWithoutSpendingItsOnlyAttempt() {
        var calls = new AtomicInteger();
        start(EngineConfig.defaults(1), handler("flaky-model", batch -> batch.stream()
                .map(j -> calls.incrementAndGet() <= 2 ? Outcome.postponed(Duration.ofSeconds(30), "waiting for a model")
                        : Outcome.completed("{}")).toList()));
        var id = submit(aNewJob("flaky-model").maxAttempts(1));

        var job = advanceUntilTerminal(id, Duration.ofSeconds(10));

        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void aDeadlineThatCannotBeMet_isRefusedAtSubmitWithTheEstimate_andOneThatCanIsAccepted() {
        var release = new CountDownLatch(1);
        var ran = new AtomicInteger();
        var gated = handler("gated", batch -> {
            if (ran.getAndAdd(batch.size()) >= 60 && !release.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the handler");
            }
            return batch.stream().map(j -> Outcome.completed("{}")).toList();
        });
        start(EngineConfig.defaults(1), gated);
        // 60 jobs end within the minute: the task drains at 1 job per second
        var first = new ArrayList<String>();
        for (int i = 0; i < 60; i++) {
            first.add(submit(aNewJob("gated")));
        }
        first.forEach(this::awaitTerminal);
        // then the handler blocks, and 100 jobs wait behind it
        var waiting = new ArrayList<String>();
        for (int i = 0; i < 100; i++) {
            waiting.add(submit(aNewJob("gated")));
        }
        time.advance(Duration.ofSeconds(2)); // the engine samples its queues

        assertThatThrownBy(() -> submit(aNewJob("gated").deadline(time.instant().plusSeconds(10))))
                .isInstanceOfSatisfying(AdmissionRefusedException.class, e -> {
                    assertThat(e).hasMessageContaining("s of work ahead of this job at priority standard")
                            .hasMessageContaining("deadline in 10 s");
                    assertThat(e.retryAfter()).isGreaterThan(Duration.ofSeconds(60));
                });
        var roomy = submit(aNewJob("gated").deadline(time.instant().plusSeconds(3600)));
        var otherTask = submit(aNewJob("echo").deadline(time.instant().plusSeconds(1)));
        release.countDown();
        assertThat(awaitTerminal(roomy).state()).isEqualTo(JobState.COMPLETED);
        waiting.forEach(this::awaitTerminal);
        assertThat(otherTask).isNotNull();
    }

    @Test
    void retryOutcome_succeedsOnALaterAttempt() {
        start(EngineConfig.defaults(2), handler("lucky", batch -> batch.stream()
                .map(j -> j.attempt() < 2 ? Outcome.retry("not yet") : Outcome.completed("{\"ok\":1}")).toList()));

        var id = submit(aNewJob("lucky"));
        var job = advanceUntilTerminal(id, Duration.ofMillis(500));

        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.attempt()).isEqualTo(2);
    }

    @Test
    void handlersThatWaitOnIo_holdNoCpuWorker() {
        var release = new CountDownLatch(1);
        var waiting = new AtomicInteger();
        var remote = remote(release, 0, waiting);
        start(EngineConfig.defaults(1), new EchoTask(), remote);
        var slow = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            slow.add(submit(aNewJob("remote")));
        }
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> waiting.get() == 5);

        var echo = submit(aNewJob("echo").input("{\"x\":1}"));

        assertThat(awaitTerminal(echo).state()).as("the one CPU worker is free").isEqualTo(JobState.COMPLETED);
        release.countDown();
        slow.forEach(id -> assertThat(awaitTerminal(id).state()).isEqualTo(JobState.COMPLETED));
    }

    @Test
    void aJobOfATaskThisProcessDoesNotRun_staysPendingForOneThatDoes() {
        start(EngineConfig.defaults(2), new EchoTask());
        var other = submit(aNewJob("elsewhere"));
        var echo = submit(aNewJob("echo"));

        assertThat(awaitTerminal(echo).state()).isEqualTo(JobState.COMPLETED);
        time.advance(Duration.ofSeconds(5)); // polls come and go

        assertThat(store.jobGet("default", other).orElseThrow().state()).isEqualTo(JobState.PENDING);
        assertThat(engine.cancel("default", other).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void onlyWhatCanStartIsClaimed_theRestWaitsPendingAndCancellable() {
        var release = new CountDownLatch(1);
        // two workers, batches of one, one batch of prefetch: three jobs claimed at most
        start(EngineConfig.defaults(2), blocking(release));
        var ids = new ArrayList<String>();
        for (int i = 0; i < 10; i++) {
            ids.add(submit(aNewJob("blocking")));
        }
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 3);
        time.advance(Duration.ofSeconds(5));

        assertThat(engine.inFlight()).isEqualTo(3);
        assertThat(store.jobCountPending()).isEqualTo(7);
        assertThat(engine.cancel("default", ids.getLast()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        release.countDown();
        ids.subList(0, 9).forEach(id -> assertThat(awaitTerminal(id).state()).isEqualTo(JobState.COMPLETED));
    }

    @Test
    void aTaskThatWaitsOnIo_isClaimedOnlyUpToTheConcurrencyItDeclares() {
        var release = new CountDownLatch(1);
        var remote = remote(release, 2, new AtomicInteger()); // a remote model taking two calls at once
        start(EngineConfig.defaults(2), remote);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 20; i++) {
            ids.add(submit(aNewJob("remote")));
        }
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 3);
        time.advance(Duration.ofSeconds(5));

        assertThat(engine.inFlight()).as("two calls and one prefetched").isEqualTo(3);
        assertThat(store.jobCountPending()).isEqualTo(17);
        release.countDown();
        ids.forEach(id -> assertThat(awaitTerminal(id).state()).isEqualTo(JobState.COMPLETED));
    }

    @Test
    void aSlowTask_doesNotBlockAFastOne() {
        var release = new CountDownLatch(1);
        start(EngineConfig.defaults(2), blocking(release), new EchoTask());
        var slow = List.of(submit(aNewJob("blocking")), submit(aNewJob("blocking")), submit(aNewJob("blocking")));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 3);

        var fast = awaitTerminal(submit(aNewJob("echo")));

        assertThat(fast.state()).as("echo ran while every blocking worker was busy").isEqualTo(JobState.COMPLETED);
        release.countDown();
        slow.forEach(id -> assertThat(awaitTerminal(id).state()).isEqualTo(JobState.COMPLETED));
    }

    @Test
    void anInteractiveJob_startsBeforeTheBatchJobsWaitingAheadOfIt() {
        var order = new ConcurrentLinkedQueue<String>();
        var release = new CountDownLatch(1);
        var gate = handler("gated", batch -> {
            if (!release.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the handler");
            }
            batch.forEach(j -> order.add(j.id()));
            return batch.stream().map(j -> Outcome.completed("{}")).toList();
        });
        start(EngineConfig.defaults(1).withPrefetchBatches(0), gate);
        var batchJobs = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            batchJobs.add(submit(aNewJob("gated").priority(Priority.BATCH)));
        }
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 1);
        var interactive = submit(aNewJob("gated").priority(Priority.INTERACTIVE));

        release.countDown();
        batchJobs.forEach(this::awaitTerminal);
        awaitTerminal(interactive);

        assertThat(List.copyOf(order).get(1)).as("the first free slot goes to the interactive job").isEqualTo(interactive);
    }

    @Test
    void expiredLeaseOfADeadWorker_runsAgainAndTheLateResultIsDiscarded() {
        var nj = aNewJob("echo").build();
        store.jobInsertMany(new InsertParams(List.of(nj), T0));
        var deadClaim = store.jobClaim(new ClaimParams(1, T0, T0.plusSeconds(30), "dead")).getFirst();
        start(EngineConfig.defaults(2).withOwnsStore(false), new EchoTask());
        assertThat(engine.get("default", nj.id()).orElseThrow().state()).isEqualTo(JobState.PROCESSING);

        time.advance(Duration.ofSeconds(29));
        assertThat(engine.get("default", nj.id()).orElseThrow().state()).as("lease still held").isEqualTo(JobState.PROCESSING);
        time.advance(Duration.ofSeconds(2));

        var job = awaitTerminal(nj.id());
        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.attempt()).isEqualTo(2);
        var late = store.jobSetStateMany(new StateChangeParams(List.of(Lifecycle.finish(deadClaim,
                Outcome.completed("{\"late\":1}"), time.instant(), null)), time.instant()));
        assertThat(late).containsExactly(false);
        assertThat(engine.get("default", nj.id()).orElseThrow().result()).isEqualTo(nj.input().json());
    }

    @Test
    void aRunningJobsLease_isRenewedAndNeverRescuedWhileItRuns() {
        var release = new CountDownLatch(1);
        start(EngineConfig.defaults(2).withOwnsStore(false), blocking(release));
        var id = submit(aNewJob("blocking"));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 1);

        for (int i = 0; i < 12; i++) {
            time.advance(Duration.ofSeconds(10)); // two minutes: four leases' worth
        }
        release.countDown();

        var job = awaitTerminal(id);
        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.attempt()).as("never rescued").isEqualTo(1);
    }

    @Test
    void start_inAnOwnedStoreRecoversJobsLeftProcessing() {
        var nj = aNewJob("echo").build();
        store.jobInsertMany(new InsertParams(List.of(nj), T0));
        store.jobClaim(new ClaimParams(1, T0, T0.plusSeconds(3600), "crashed"));

        start(EngineConfig.defaults(2), new EchoTask());

        assertThat(awaitTerminal(nj.id()).state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void awaitTerminal_answersWithTheCurrentStateWhenTheWaitEnds() throws Exception {
        var release = new CountDownLatch(1);
        start(EngineConfig.defaults(2), blocking(release));
        var id = submit(aNewJob("blocking"));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 1);

        var shortWait = engine.awaitTerminal("default", id, Duration.ofSeconds(30));
        var longWait = engine.awaitTerminal("default", id, Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).pollInterval(Duration.ofMillis(5)).until(() -> {
            time.advance(Duration.ofSeconds(1));
            return shortWait.isDone();
        });

        assertThat(shortWait.get().orElseThrow().state()).isEqualTo(JobState.PROCESSING);
        assertThat(longWait).isNotDone();
        release.countDown();
        assertThat(longWait.get(GUARD_SECONDS, TimeUnit.SECONDS).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        assertThat(engine.awaitTerminal("default", "no-such-job", Duration.ofSeconds(1)).get()).isEqualTo(Optional.empty());
    }

    @Test
    void cancel_aJobWaitingBehindBusySlotsNeverRuns() {
        var release = new CountDownLatch(1);
        start(EngineConfig.defaults(1).withLimits(1, 1024), blocking(release));
        var first = submit(aNewJob("blocking"));
        var second = submit(aNewJob("blocking"));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 1);

        var waiter = engine.awaitTerminal("default", second, Duration.ofMinutes(1));
        var cancelled = engine.cancel("default", second).orElseThrow();
        release.countDown();

        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.error()).isEqualTo("cancelled by the client");
        assertThat(waiter.join().orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(awaitTerminal(first).state()).isEqualTo(JobState.COMPLETED);
        assertThat(engine.cancel("default", first).orElseThrow().state()).as("a finished job stays as it is")
                .isEqualTo(JobState.COMPLETED);
    }

    @Test
    void shutdown_releasesJobsStillRunningWithoutSpendingAnAttempt() throws Exception {
        var release = new CountDownLatch(1);
        start(EngineConfig.defaults(2), blocking(release));
        var id = submit(aNewJob("blocking").maxAttempts(1));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 1);
        var longPoll = engine.awaitTerminal("default", id, Duration.ofMinutes(1));

        engine.shutdown(Duration.ofMillis(50));
        release.countDown();

        assertThatThrownBy(() -> engine.submit(aNewJob("echo").build())).isInstanceOf(EngineClosedException.class);
        assertThat(longPoll.get(GUARD_SECONDS, TimeUnit.SECONDS)).get().extracting(Job::state)
                .isIn(JobState.PROCESSING, JobState.PENDING);
        var job = store.jobGet("default", id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.PENDING);
        assertThat(job.attempt()).as("a release is not an attempt").isZero();
        engine = null;

        start(EngineConfig.defaults(2), new EchoTask(), handler("blocking", batch -> batch.stream()
                .map(j -> Outcome.completed("{\"attempt\":" + j.attempt() + "}")).toList()));
        var rerun = awaitTerminal(id);
        assertThat(rerun.state()).isEqualTo(JobState.COMPLETED);
        assertThat(rerun.result()).as("attempt 1 of 1, not 2 of 1").isEqualTo("{\"attempt\":1}");
    }

    @Test
    void deadline_aJobNotStartedInTimeExpires() {
        var release = new CountDownLatch(1);
        start(EngineConfig.defaults(1).withLimits(1, 1024), blocking(release));
        submit(aNewJob("blocking"));
        await().atMost(Duration.ofSeconds(GUARD_SECONDS)).until(() -> engine.inFlight() == 1);

        var id = submit(aNewJob("blocking").deadline(T0.plusSeconds(5)));
        time.advance(Duration.ofSeconds(4));
        assertThat(store.jobGet("default", id).orElseThrow().state()).isEqualTo(JobState.PENDING);
        time.advance(Duration.ofSeconds(2));

        var job = awaitTerminal(id);
        release.countDown();
        assertThat(job.state()).isEqualTo(JobState.EXPIRED);
        assertThat(job.error()).isEqualTo("the deadline passed before the job started");
    }

    @Test
    void aMaintenanceStepThatThrows_doesNotStopTheEngine() {
        start(EngineConfig.defaults(2), new EchoTask());
        store.close();
        time.advance(Duration.ofSeconds(3)); // maintenance fails against the closed store and is retried

        assertThat(engine.isAccepting()).isTrue();
    }

    private interface Run {
        List<Outcome> run(List<Job> batch) throws Exception;
    }

    private static TaskHandler handler(String name, Run run) {
        return new TaskHandler() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Outcome> run(List<Job> batch) throws Exception {
                return run.run(batch);
            }
        };
    }

    private static TaskHandler blocking(CountDownLatch release) {
        return new TaskHandler() {
            @Override
            public String name() {
                return "blocking";
            }

            @Override
            public List<Outcome> run(List<Job> batch) throws InterruptedException {
                return completedOnRelease(release, batch);
            }
        };
    }

    /** A task named "remote" that waits on I/O until released, counting the batches that started; concurrency 0: the default. */
    private static TaskHandler remote(CountDownLatch release, int concurrency, AtomicInteger started) {
        return new TaskHandler() {
            @Override
            public String name() {
                return "remote";
            }

            @Override
            public boolean waitsOnIo() {
                return true;
            }

            @Override
            public int concurrency() {
                return concurrency;
            }

            @Override
            public List<Outcome> run(List<Job> batch) throws InterruptedException {
                started.incrementAndGet();
                return completedOnRelease(release, batch);
            }
        };
    }

    private static List<Outcome> completedOnRelease(CountDownLatch release, List<Job> batch) throws InterruptedException {
        if (!release.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test never released the handler");
        }
        return batch.stream().map(j -> Outcome.completed("{}")).toList();
    }
}
