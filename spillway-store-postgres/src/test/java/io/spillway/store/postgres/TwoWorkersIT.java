package io.spillway.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.core.Job;
import io.spillway.core.JobIds;
import io.spillway.core.NewJob;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.engine.Engine;
import io.spillway.core.engine.EngineConfig;
import io.spillway.core.engine.SchedulingPolicy;
import io.spillway.core.json.JobInput;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.QueueStats;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Worker processes on one PostgreSQL database (a store and an engine each): a burst that arrives
 * before the second starts is shared, because each claims only what it can start; a tenant cap
 * holds for all of them together.
 */
class TwoWorkersIT {
    private static final int JOBS = 400;
    private final String schema = TestDatabase.newSchema();
    private final List<AutoCloseable> open = new ArrayList<>();

    /** A task that computes for 10 ms a job, one job at a time, counting what it ran. */
    private static final class Work implements TaskHandler {
        final AtomicInteger ran = new AtomicInteger();

        @Override
        public String name() {
            return "work";
        }

        @Override
        public List<Outcome> run(List<Job> batch) {
            long end = System.nanoTime() + 10_000_000L * batch.size();
            while (System.nanoTime() < end) {
                Thread.onSpinWait(); // computes, as a CPU-bound task does
            }
            ran.addAndGet(batch.size());
            return batch.stream().map(j -> Outcome.completed("{}")).toList();
        }
    }

    private Engine worker(String name, Work task) {
        return worker(name, task, EngineConfig.defaults(1));
    }

    private Engine worker(String name, Work task, EngineConfig config) {
        var store = PostgresJobStore.open(TestDatabase.config(schema));
        open.add(store);
        var engine = new Engine(store, TaskRegistry.builder().register(task).build(),
                config.withRole(name, false, true), Clock.systemUTC());
        engine.start();
        open.add(() -> engine.shutdown(Duration.ofSeconds(5)));
        return engine;
    }

    @AfterEach
    void close() throws Exception {
        for (var c : open.reversed()) {
            c.close();
        }
        TestDatabase.dropSchema(schema);
    }

    private static List<NewJob> burst(int n, String tenant) {
        var ids = new JobIds(Clock.systemUTC());
        var jobs = new ArrayList<NewJob>();
        for (int i = 0; i < n; i++) {
            jobs.add(new NewJob(ids.next(), tenant, "work", JobInput.ofJson("{}"), Priority.STANDARD, 3, null,
                    null, null, null, null));
        }
        return jobs;
    }

    @Test
    void aTenantCap_holdsAcrossFourWorkers() {
        try (var gateway = PostgresJobStore.open(TestDatabase.config(schema))) {
            gateway.jobInsertMany(new InsertParams(burst(600, "a"), Clock.systemUTC().instant()));
            var first = new Work();
            var second = new Work();
            // each worker could run four at once: together sixteen, but the tenant may run three
            var capped = EngineConfig.defaults(4).withScheduling(SchedulingPolicy.defaults().withMaxRunningPerTenant(3));
            worker("w1", first, capped);
            worker("w2", second, capped);
            worker("w3", second, capped);
            worker("w4", first, capped);
            var mostRunning = new AtomicLong();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2)).until(() -> {
                var running = gateway.jobTaskActivity(Instant.EPOCH).stream().mapToLong(QueueStats.Activity::running).sum();
                mostRunning.accumulateAndGet(running, Math::max);
                return first.ran.get() + second.ran.get() >= 600;
            });

            assertThat(mostRunning.get()).isBetween(2L, 3L);
        }
    }

    @Test
    void aBurstThatArrivedBeforeTheSecondWorkerStarted_isShared_andNoJobWaitsInAWorkersMemory() {
        try (var gateway = PostgresJobStore.open(TestDatabase.config(schema))) {
            gateway.jobInsertMany(new InsertParams(burst(JOBS, "default"), Clock.systemUTC().instant()));

            var first = new Work();
            var second = new Work();
            var one = worker("w1", first);
            await().atMost(Duration.ofSeconds(20)).until(() -> first.ran.get() >= 20);
            var two = worker("w2", second);
            var mostHeld = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
                mostHeld.accumulateAndGet(Math.max(one.inFlight(), two.inFlight()), Math::max);
                return first.ran.get() + second.ran.get() >= JOBS && gateway.jobCountPending() == 0;
            });

            assertThat(mostHeld.get()).as("one job running and one prefetched per worker, at most").isLessThanOrEqualTo(2);
            assertThat(second.ran.get()).as("the second worker's part of the burst").isGreaterThan(JOBS * 3 / 10);
            assertThat(first.ran.get() + second.ran.get()).isEqualTo(JOBS);
        }
    }
}
