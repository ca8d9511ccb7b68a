package io.spillway.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.core.Job;
import io.spillway.core.Priority;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.QueueStats;
import io.spillway.store.jdbc.MigrationScripts;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queue keys in SQLite: a store from before them, upgraded, and the fronts published for other writers. */
class QueueKeyMigrationIT {
    @TempDir
    Path dir;

    @Test
    void jobsPendingOrRunningBeforeTheUpgrade_getTheOldOrdersKeys() throws Exception {
        var file = dir.resolve("spillway.db");
        var url = "jdbc:sqlite:" + file;
        try (var c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            var scripts = MigrationScripts.load(SqliteJobStore.class);
            MigrationScripts.pending(c, scripts);
            for (var script : scripts.subList(0, 6)) { // the schema before queue keys
                MigrationScripts.apply(c, script);
            }
            try (var st = c.createStatement()) {
                st.execute("INSERT INTO jobs (id, tenant, task, state, priority, input, attempt, max_attempts, created_at, run_at)"
                        + " VALUES ('01a00000-0000-7000-8000-000000000001', 'default', 'echo', 'pending', 2, '{}', 0, 3, 1000, 1000),"
                        + " ('01a00000-0000-7000-8000-000000000002', 'default', 'echo', 'pending', 0, '{}', 0, 3, 2000, 2000),"
                        + " ('01a00000-0000-7000-8000-000000000003', 'default', 'echo', 'completed', 1, '{}', 1, 3, 500, 500)");
                st.execute("INSERT INTO jobs (id, tenant, task, state, priority, input, attempt, max_attempts, created_at, run_at,"
                        + " lease_until, started_at, worker) VALUES ('01a00000-0000-7000-8000-000000000004', 'default', 'echo',"
                        + " 'processing', 1, '{}', 1, 3, 1500, 1500, 9000, 1600, 'old')");
            }
            c.commit();
        }

        try (var store = SqliteJobStore.open(file, Durability.CRASH)) {
            var now = Instant.ofEpochMilli(10_000);
            var claimed = store.jobClaim(new ClaimParams(10, now, now.plusSeconds(30), "w").ofTask("echo"));

            assertThat(claimed).extracting(Job::id).containsExactly("01a00000-0000-7000-8000-000000000002",
                    "01a00000-0000-7000-8000-000000000001");
        }
        try (var c = DriverManager.getConnection(url); var st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM jobs WHERE queue_key IS NULL AND state IN ('pending', 'processing')")) {
            rs.next();
            assertThat(rs.getInt(1)).as("a running job keeps a key for when it comes back").isZero();
        }
    }

    @Test
    void publishedFronts_onlyMoveForward() throws Exception {
        var file = dir.resolve("fronts.db");
        try (var store = SqliteJobStore.open(file, Durability.CRASH)) {
            store.jobQueueFrontPublish(List.of(new QueueStats.Front("echo", Priority.BATCH, 7),
                    new QueueStats.Front("echo", Priority.INTERACTIVE, 3)));
            store.jobQueueFrontPublish(List.of(new QueueStats.Front("echo", Priority.BATCH, 5)));
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); var st = c.createStatement();
             var rs = st.executeQuery("SELECT priority, front_key FROM queue_fronts WHERE task = 'echo' ORDER BY priority")) {
            var got = new ArrayList<String>();
            while (rs.next()) {
                got.add(rs.getInt(1) + "=" + rs.getLong(2));
            }
            assertThat(got).containsExactly("0=3", "2=7");
        }
    }
}
