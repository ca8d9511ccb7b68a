package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.server.PgSchema;
import io.spillway.store.postgres.PostgresJobStore;
import io.spillway.store.postgres.PostgresStoreConfig;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed shape for real: two gateways and two workers as child processes on one
 * PostgreSQL schema. Jobs submitted to both gateways all complete, each result is recorded once
 * (a trigger counts completion writes), and a worker killed with {@code kill -9} mid-stream has
 * its jobs run by the other after their lease expires. Processes share nothing but the database:
 * a document uploaded to a gateway runs on a worker with a data directory of its own.
 */
class DistributedIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void twoGatewaysTwoWorkers_everyJobCompletesOnceEvenWhenAWorkerIsKilled() throws Exception {
        try (var schema = new PgSchema()) {
            installCompletionCounter(schema);
            var store = new String[] {"--store", schema.url(), "--store-schema", schema.name};
            var workerArgs = new String[] {"--store", schema.url(), "--store-schema", schema.name,
                    "--lease-seconds", "2", "--drain-timeout-seconds", "1"};
            try (var g1 = ChildServer.run(work, "gateway", store);
                 var g2 = ChildServer.run(work, "gateway", store);
                 var w1 = ChildServer.run(work, "worker", workerArgs);
                 var w2 = ChildServer.run(work, "worker", workerArgs)) {
                var gateways = List.of("http://127.0.0.1:" + g1.port(), "http://127.0.0.1:" + g2.port());
                var accepted = new ConcurrentHashMap<String, Integer>();
                var stop = new AtomicBoolean();
                var submitters = new ArrayList<Thread>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    submitters.add(Thread.ofPlatform().start(() -> submit(gateways.get(thread % 2), thread, accepted, stop)));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= 400);
                // kill w1 while it holds claimed jobs, so they must run again elsewhere
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                        .until(() -> processingBy(schema, w1.pid()) > 0);
                w1.kill();
                await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= 1200);
                stop.set(true);
                for (var t : submitters) {
                    t.join(Duration.ofSeconds(30));
                }

                var client = HttpClient.newHttpClient();
                for (var e : accepted.entrySet()) {
                    // ask the gateway that did not take the job
                    var other = gateways.get((e.getValue() + 1) % 2);
                    var r = client.send(HttpRequest.newBuilder(URI.create(other + "/v1/jobs/" + e.getKey() + "?wait=30")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(MAPPER.readTree(r.body()).get("status").asText()).as(r.body()).isEqualTo("completed");
                }
                try (var c = schema.connect(); var st = c.createStatement();
                     var rs = st.executeQuery("SELECT count(*) FROM jobs WHERE attempt > 1")) {
                    rs.next();
                    // the killed worker held claimed jobs; they ran again elsewhere after their lease
                    assertThat(rs.getInt(1)).as("jobs run again after the kill").isPositive();
                }
                var counts = completionCounts(schema);
                for (var id : accepted.keySet()) {
                    assertThat(counts.get(id)).as("completions recorded for %s", id).isEqualTo(1);
                }
                assertThat(g1.terminate()).isIn(0, 143);
                assertThat(g2.terminate()).isIn(0, 143);
                assertThat(w2.terminate()).isIn(0, 143);
            }
        }
    }

    @Test
    void aDocumentUploadedToAGateway_runsOnAWorkerWithItsOwnDataDirectory() throws Exception {
        try (var schema = new PgSchema()) {
            var store = new String[] {"--store", schema.url(), "--store-schema", schema.name};
            try (var gateway = ChildServer.run(work, "gateway", with(store, "--data-dir", work.resolve("gateway").toString()));
                 var worker = ChildServer.run(work, "worker", with(store, "--data-dir", work.resolve("worker").toString()))) {
                var base = "http://127.0.0.1:" + gateway.port();
                var text = "The migration plan moves every service to the new cluster. The team is delighted with the "
                        + "results. Latency fell by half and the costs went down. Nobody had to work at night.";
                var boundary = "spillway-test-boundary";
                var body = new ByteArrayOutputStream();
                body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.txt\"\r\n"
                        + "Content-Type: text/plain\r\n\r\n" + text + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
                var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                var upload = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/documents"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
                var id = MAPPER.readTree(upload.body()).get("job_id").asText();

                var r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id + "?wait=60")).build(),
                        HttpResponse.BodyHandlers.ofString());

                var job = MAPPER.readTree(r.body());
                assertThat(job.get("status").asText()).as(r.body()).isEqualTo("completed");
                assertThat(job.at("/result/metadata/filename").asText()).isEqualTo("plan.txt");
                assertThat(job.at("/result/summary").asText()).contains("migration plan");
                assertThat(job.at("/result/sentiment/label").asText()).isNotEmpty();
                try (var c = schema.connect(); var ps = c.prepareStatement("SELECT worker FROM jobs WHERE id = CAST(? AS uuid)")) {
                    ps.setString(1, id);
                    try (var rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getString(1)).as("run by the worker").startsWith("worker-" + worker.pid() + "@");
                    }
                }
            }
        }
    }

    private static String[] with(String[] args, String... more) {
        var all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static void submit(String gateway, int thread, Map<String, Integer> accepted, AtomicBoolean stop) {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int gatewayIndex = thread % 2;
        for (int n = 0; !stop.get(); n++) {
            try {
                var r = client.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/jobs"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"sleep\",\"input\":{\"ms\":100,\"n\":" + n + "}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    accepted.put(MAPPER.readTree(r.body()).get("job_id").asText(), gatewayIndex);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // a request without a 202 promises nothing
            }
        }
    }

    private static int processingBy(PgSchema schema, long pid) throws Exception {
        try (var c = schema.connect(); var ps = c.prepareStatement(
                "SELECT count(*) FROM jobs WHERE state = 'processing' AND worker LIKE ?")) {
            ps.setString(1, "worker-" + pid + "@%");
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static void installCompletionCounter(PgSchema schema) throws Exception {
        PostgresJobStore.open(PostgresStoreConfig.parse(schema.url(), schema.name, 1)).close();
        try (var c = schema.connect(); var st = c.createStatement()) {
            st.execute("CREATE TABLE test_completions (id uuid NOT NULL)");
            st.execute("CREATE FUNCTION test_count_completion() RETURNS trigger LANGUAGE plpgsql AS $$"
                    + " BEGIN INSERT INTO test_completions (id) VALUES (NEW.id); RETURN NEW; END $$");
            st.execute("CREATE TRIGGER test_count_completions AFTER UPDATE OF state ON jobs FOR EACH ROW"
                    + " WHEN (NEW.state = 'completed') EXECUTE FUNCTION test_count_completion()");
        }
    }

    static Map<String, Integer> completionCounts(PgSchema schema) throws Exception {
        var counts = new HashMap<String, Integer>();
        try (var c = schema.connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT id, count(*) FROM test_completions GROUP BY id")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getInt(2));
            }
        }
        return counts;
    }
}
