package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.store.sqlite.Durability;
import io.spillway.store.sqlite.SqliteJobStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops the server while many clients submit, with {@code kill -9} or with SIGTERM, restarts it
 * on the same data directory, and proves that every job that got a 202 exists and completes with
 * its result recorded exactly once. A trigger installed in the store counts every completion
 * write.
 */
class CrashIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void killDashNine_losesNoAcceptedJobAndRecordsEachResultOnce() throws Exception {
        stopUnderLoad(false);
    }

    @Test
    void sigterm_losesNoAcceptedJobAndAnswersOnly202Or503() throws Exception {
        stopUnderLoad(true);
    }

    private void stopUnderLoad(boolean graceful) throws Exception {
        var data = work.resolve("data");
        installCompletionCounter(data.resolve("spillway.db"));
        var accepted = new ConcurrentHashMap<String, String>();
        var unexpected = new ConcurrentHashMap<Integer, String>();
        var stop = new AtomicBoolean();
        var submitters = new ArrayList<Thread>();

        try (var first = ChildServer.start(data)) {
            var base = "http://127.0.0.1:" + first.port();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                submitters.add(Thread.ofPlatform().start(() -> submitUntilStopped(base, thread, accepted, unexpected, stop)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= 3000);
            if (graceful) {
                assertThat(first.terminate()).as("exit code after SIGTERM").isIn(0, 143);
            } else {
                first.kill();
            }
        }
        stop.set(true);
        for (var t : submitters) {
            t.join(Duration.ofSeconds(30));
        }
        int acceptedBeforeCrash = accepted.size();
        assertThat(unexpected).as("answers other than 202 and 503 while stopping").isEmpty();

        try (var second = ChildServer.start(data)) {
            var client = HttpClient.newHttpClient();
            for (var e : accepted.entrySet()) {
                var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second.port()
                        + "/v1/jobs/" + e.getKey() + "?wait=30")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("job %s got a 202 but is gone; log:%n%s", e.getKey(), second.log()).isEqualTo(200);
                var job = MAPPER.readTree(r.body());
                assertThat(job.get("status").asText()).as(r.body()).isEqualTo("completed");
                assertThat(job.get("result").toString()).isEqualTo(e.getValue());
            }
            assertThat(second.terminate()).as("exit code after SIGTERM").isIn(0, 143);
        }

        var counts = completionCounts(data.resolve("spillway.db"));
        assertThat(acceptedBeforeCrash).isGreaterThanOrEqualTo(3000);
        for (var id : accepted.keySet()) {
            assertThat(counts.get(id)).as("completions recorded for job %s", id).isEqualTo(1);
        }
        assertThat(counts.values()).allMatch(n -> n == 1);
    }

    private static void submitUntilStopped(String base, int thread, Map<String, String> accepted,
                                           Map<Integer, String> unexpected, AtomicBoolean stop) {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int n = 0; !stop.get(); n++) {
            var input = "{\"thread\":" + thread + ",\"n\":" + n + "}";
            try {
                var r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"echo\",\"input\":" + input + "}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    accepted.put(MAPPER.readTree(r.body()).get("job_id").asText(), input);
                } else if (r.statusCode() != 503) {
                    unexpected.put(r.statusCode(), r.body());
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
                // the server is gone: requests without a 202 make no promise
                if (stop.get()) {
                    return;
                }
            }
        }
    }

    private static void installCompletionCounter(Path db) throws Exception {
        SqliteJobStore.open(db, Durability.CRASH).close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement()) {
            st.execute("CREATE TABLE test_completions (id TEXT NOT NULL)");
            st.execute("CREATE TRIGGER test_count_completions AFTER UPDATE OF state ON jobs"
                    + " WHEN NEW.state = 'completed' BEGIN INSERT INTO test_completions (id) VALUES (NEW.id); END");
        }
    }

    private static Map<String, Integer> completionCounts(Path db) throws Exception {
        var counts = new HashMap<String, Integer>();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db); var st = c.createStatement();
             var rs = st.executeQuery("SELECT id, count(*) FROM test_completions GROUP BY id")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return counts;
    }
}
