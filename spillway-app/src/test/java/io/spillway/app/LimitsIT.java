package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.server.PgSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits that hold in total across gateway processes sharing PostgreSQL, not once per process. */
class LimitsIT {
    private static final int CAP = 25;
    /** At 10 per 1k answer tokens, a job of max_tokens 100 reserves exactly 1. */
    private static final String PRICED_JOB = "{\"task\": \"generate\", \"input\": {\"prompt\": \"hi\", \"max_tokens\": 100}}";

    @TempDir
    Path work;

    @Test
    void twoGatewaysUnderAPendingCap_acceptExactlyTheCapInTotal() throws Exception {
        try (var schema = new PgSchema()) {
            acceptExactlyTheLimit(schema, "{\"task\": \"echo\", \"input\": {}}", "--max-pending-per-tenant", String.valueOf(CAP));
        }
    }

    @Test
    void twoGatewaysUnderABudget_reserveExactlyTheBudgetInTotal() throws Exception {
        var models = Files.createDirectories(work.resolve("models/paid"));
        // never called: gateways run no jobs
        Files.writeString(models.resolve("model.yaml"), "kind: llm\nprovider: openai\nbase_url: http://127.0.0.1:9/v1"
                + "\nmodel: fake-1\nprice_per_1k_input: 0\nprice_per_1k_output: 10\n");
        try (var schema = new PgSchema()) {
            acceptExactlyTheLimit(schema, PRICED_JOB, "--models-dir", work.resolve("models").toString(),
                    "--tenant-budgets", "acme=" + CAP + "/day");
            try (var c = schema.connect(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT sum(reserved) FROM jobs WHERE tenant = 'acme'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(CAP * 1_000_000_000L);
            }
        }
    }

    @Test
    void twoGatewaysUnderAKeysRate_admitTheRateInTotal() throws Exception {
        try (var schema = new PgSchema()) {
            var store = List.of("--store", schema.url(), "--store-schema", schema.name);
            assertThat(Cli.run("migrate", "--store", schema.url(), "--store-schema", schema.name).code()).isZero();
            var key = Cli.run("keys", "create", "--store", schema.url(), "--store-schema", schema.name,
                    "--tenant", "acme", "--name", "slow", "--rate", "10/s").out().strip();
            try (var g1 = ChildServer.run(work, "gateway", store.toArray(String[]::new));
                 var g2 = ChildServer.run(work, "gateway", store.toArray(String[]::new));
                 var pool = Executors.newFixedThreadPool(4)) {
                var client = HttpClient.newHttpClient();
                var admitted = new AtomicInteger();
                var refused = new AtomicInteger();
                long end = System.nanoTime() + 3_000_000_000L;
                var sent = new ArrayList<Future<?>>();
                for (int t = 0; t < 4; t++) {
                    int port = t % 2 == 0 ? g1.port() : g2.port();
                    sent.add(pool.submit(() -> {
                        while (System.nanoTime() < end) {
                            var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs?limit=1"))
                                    .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
                            (r.statusCode() == 429 ? refused : admitted).incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (var f : sent) {
                    f.get();
                }
                // 10 at once and 10 a second for 3 s is 40; each gateway may admit one more it took ahead
                assertThat(admitted.get()).as("admitted by both gateways together").isBetween(30, 42);
                assertThat(refused.get()).isPositive();
                assertThat(List.of(g1.log(), g2.log())).noneMatch(log -> log.contains("ERROR"));
            }
        }
    }

    /** 100 submits over two gateways under a limit of {@link #CAP} jobs: exactly CAP are accepted. */
    private void acceptExactlyTheLimit(PgSchema schema, String job, String... limit) throws Exception {
        var store = new ArrayList<>(List.of("--store", schema.url(), "--store-schema", schema.name));
        store.addAll(List.of(limit));
        assertThat(Cli.run("migrate", "--store", schema.url(), "--store-schema", schema.name).code()).isZero();
        var key = Cli.run("keys", "create", "--store", schema.url(), "--store-schema", schema.name,
                "--tenant", "acme", "--name", "load").out().strip();
        try (var g1 = ChildServer.run(work, "gateway", store.toArray(String[]::new));
             var g2 = ChildServer.run(work, "gateway", store.toArray(String[]::new));
             var pool = Executors.newFixedThreadPool(8)) {
            var client = HttpClient.newHttpClient();
            var statuses = new ConcurrentHashMap<Integer, AtomicInteger>();
            var sent = new ArrayList<Future<?>>();
            for (int i = 0; i < 100; i++) {
                int port = i % 2 == 0 ? g1.port() : g2.port();
                sent.add(pool.submit(() -> {
                    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs"))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(job)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    return null;
                }));
            }
            for (var f : sent) {
                f.get();
            }

            assertThat(statuses.keySet()).containsExactlyInAnyOrder(202, 429);
            assertThat(statuses.get(202).get()).isEqualTo(CAP);
            try (var c = schema.connect(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM jobs WHERE tenant = 'acme' AND state = 'pending'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(CAP);
            }
            assertThat(List.of(g1.log(), g2.log())).noneMatch(log -> log.contains("ERROR"));
        }
    }
}
