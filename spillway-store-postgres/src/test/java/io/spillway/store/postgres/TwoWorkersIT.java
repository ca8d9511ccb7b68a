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
import io.spillway.core.json.JobInput;
import io.spillway.core.store.InsertParams;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two worker processes on one PostgreSQL database (two stores, two engines): a burst that arrives
 * before the second starts is shared, because each claims only what it can start.
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
        public List<Outcome> run(List<Job> batch) throws InterruptedException {
            Thread.sleep(10L * batch.size());
            ran.addAndGet(batch.size());
            return batch.stream().map(j -> Outcome.completed("{}")).toList();
        }
    }

    private Engine worker(String name, Work task) {
        var store = PostgresJobStore.open(TestDatabase.config(schema));
        open.add(store);
        var engine = new Engine(store, TaskRegistry.builder().register(task).build(),
                EngineConfig.defaults(1).withRole(name, false, true), Clock.systemUTC());
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

    @Test
    void aBurstThatArrivedBeforeTheSecondWorkerStarted_isShared_andNoJobWaitsInAWorkersMemory() {
        try (var gateway = PostgresJobStore.open(TestDatabase.config(schema))) {
            var ids = new JobIds(Clock.systemUTC());
            var burst = new ArrayList<NewJob>();
            for (int i = 0; i < JOBS; i++) {
                burst.add(new NewJob(ids.next(), "default", "work", JobInput.ofJson("{}"), Priority.STANDARD, 3, null,
                        null, null, null, null));
            }
            gateway.jobInsertMany(new InsertParams(burst, Clock.systemUTC().instant()));

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
