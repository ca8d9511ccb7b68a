package io.spillway.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.Priority;
import io.spillway.core.builtin.EchoTask;
import io.spillway.core.engine.Engine;
import io.spillway.core.engine.EngineConfig;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.QueueStats;
import io.spillway.core.task.TaskRegistry;
import io.spillway.store.postgres.PostgresJobStore;
import io.spillway.store.postgres.PostgresStoreConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JDBC inserter against the real PostgreSQL, with an engine running the jobs it inserts. */
class JdbcJobInserterIT {
    private static final String URL = "postgresql://postgres@127.0.0.1:5432/postgres";
    private final String schema = "t_client_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 1_000_000_000L;
    private PostgresJobStore store;
    private Engine engine;

    @BeforeEach
    void start() {
        store = PostgresJobStore.open(PostgresStoreConfig.parse(URL, schema, 4));
        engine = new Engine(store, TaskRegistry.builder().register(new EchoTask()).build(),
                EngineConfig.defaults(2).withRole("test", false, true), InstantSource.system());
        engine.start();
    }

    @AfterEach
    void stop() throws Exception {
        engine.shutdown(Duration.ofSeconds(2));
        store.close();
        try (var c = connect(); var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
    }

    @Test
    void insert_committedJobRunsAndRolledBackJobNeverExists() throws Exception {
        var inserter = new JdbcJobInserter(schema);
        String committed;
        String rolledBack;
        try (var c = connect()) {
            c.setAutoCommit(false);
            rolledBack = inserter.insert(c, JdbcJobInserter.job("echo", "{\"n\": 1}"));
            c.rollback();
            committed = inserter.insert(c, JdbcJobInserter.job("echo", "{\"n\": 2}").withPriority("interactive")
                    .withMetadata("{\"order\": 42}"));
            c.commit();
        }

        var job = engine.awaitTerminal("default", committed, Duration.ofSeconds(30)).join().orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.COMPLETED);
        assertThat(job.result()).isEqualTo("{\"n\": 2}");
        assertThat(job.metadata()).isEqualTo("{\"order\": 42}");
        assertThat(engine.get("default", rolledBack)).isEmpty();
    }

    @Test
    void insertedJobs_takeTheirPlaceWhereTheSchedulerPublishedIt_orByTimeAndPriorityBefore() throws Exception {
        var inserter = new JdbcJobInserter(schema);
        List<String> ids = new ArrayList<>();
        try (var c = connect()) {
            for (var priority : List.of("standard", "standard", "batch", "interactive")) {
                ids.add(inserter.insert(c, JdbcJobInserter.job("elsewhere", "{}").withPriority(priority)));
            }
            store.jobQueueFrontPublish(List.of(new QueueStats.Front("elsewhere", Priority.BATCH, 1)));
            store.jobQueueFrontPublish(List.of(new QueueStats.Front("elsewhere", Priority.BATCH, 0))); // a front only moves forward
            ids.add(inserter.insert(c, JdbcJobInserter.job("elsewhere", "{}").withPriority("batch")));
            try (var st = c.createStatement();
                 var rs = st.executeQuery("SELECT queue_key FROM " + schema + ".jobs WHERE id = '" + ids.get(4) + "'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
        var now = Instant.now();

        var claimed = store.jobClaim(new ClaimParams(10, now, now.plusSeconds(30), "w").ofTask("elsewhere"));

        // no worker here runs task elsewhere: the claim shows the queue's order
        assertThat(claimed).extracting(Job::id).containsExactly(ids.get(4), ids.get(3), ids.get(0), ids.get(1), ids.get(2));
    }

    @Test
    void job_refusesBadValues() {
        assertThatThrownBy(() -> JdbcJobInserter.job("echo", "[1]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> JdbcJobInserter.job("echo", "{}").withPriority("urgent")).hasMessageContaining("priority");
        assertThatThrownBy(() -> JdbcJobInserter.job("echo", "{}").withMaxAttempts(0)).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new JdbcJobInserter("Robert'); DROP")).hasMessageContaining("identifier");
    }
}
