package io.spillway.store.postgres;

import static io.spillway.store.testkit.NewJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.core.Lifecycle;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.JobEvents;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.StateChangeParams;
import io.spillway.store.testkit.JobStoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store contract on the real PostgreSQL server, one schema per test. */
class PostgresJobStoreIT extends JobStoreContract {
    private String schema;

    @Override
    protected JobStore openStore() {
        schema = TestDatabase.newSchema();
        return PostgresJobStore.open(TestDatabase.config(schema));
    }

    @AfterEach
    void dropSchema() {
        TestDatabase.dropSchema(schema);
    }

    @Test
    void open_manyProcessesAtOnceApplyMigrationsOnce() throws Exception {
        var shared = TestDatabase.newSchema();
        try (var pool = Executors.newFixedThreadPool(4)) {
            var futures = List.of(1, 2, 3, 4).stream()
                    .map(i -> pool.submit(() -> PostgresJobStore.open(TestDatabase.config(shared)))).toList();
            for (var f : futures) {
                f.get(60, TimeUnit.SECONDS).close();
            }
        } finally {
            TestDatabase.dropSchema(shared);
        }
    }

    @Test
    void events_reportInsertsAndChangesFromAnotherStoreOnTheSameDatabase() {
        var runnable = new AtomicInteger();
        var changed = new ConcurrentLinkedQueue<String>();
        var pg = (PostgresJobStore) store;
        pg.events().orElseThrow().start(new JobEvents.Listener() {
            @Override
            public void runnable() {
                runnable.incrementAndGet();
            }

            @Override
            public void changed(Collection<String> ids) {
                changed.addAll(ids);
            }

            @Override
            public void reconnected() {
            }
        });
        try (var other = PostgresJobStore.open(TestDatabase.config(schema))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                other.jobInsertMany(new InsertParams(List.of(aNewJob().build()), T0));
                assertThat(runnable.get()).isPositive();
            });
            var nj = aNewJob().build();
            other.jobInsertMany(new InsertParams(List.of(nj), T0));
            var pending = other.jobGet("default", nj.id()).orElseThrow();
            other.jobSetStateMany(new StateChangeParams(List.of(Lifecycle.cancel(pending)), T0));
            await().atMost(Duration.ofSeconds(10)).until(() -> changed.contains(nj.id()));
        }
    }

    @Test
    void clock_isTheDatabaseServersClock() {
        var db = store.clock().instant();

        assertThat(Duration.between(db, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void tableStats_countLiveAndDeadRows() {
        store.jobInsertMany(new InsertParams(List.of(aNewJob().build(), aNewJob().build(), aNewJob().build()), T0));
        store.jobClaim(new ClaimParams(1, T0, T0.plusSeconds(30), "w"));

        // the statistics are flushed by PostgreSQL about once a second
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var stats = ((PostgresJobStore) store).tableStats();
            assertThat(stats.liveRows()).isEqualTo(3);
            assertThat(stats.deadRows()).isPositive();
        });
    }
}
