package io.spillway.store.sqlite;

import static io.spillway.store.testkit.NewJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.spillway.core.Backoff;
import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.Outcome;
import io.spillway.core.builtin.EchoTask;
import io.spillway.core.engine.Engine;
import io.spillway.core.engine.EngineClosedException;
import io.spillway.core.engine.EngineConfig;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.InsertResult;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The engine on a real SQLite file, real threads and real time: a smoke test of the wiring. The
 * engine's behaviour (retries, leases, deadlines, long polls, shutdown) is tested in the core on a
 * fake clock ({@code EngineTest}).
 */
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
    void logLinesWrittenByAHandler_carryTheJobTaskAndAttempt() {
        var logger = (Logger) LoggerFactory.getLogger("test.handler");
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
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
