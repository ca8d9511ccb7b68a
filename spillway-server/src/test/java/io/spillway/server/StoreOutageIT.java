package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL going away and coming back, through a proxy the test cuts: the API answers 503
 * problem+json with Retry-After (never a hang or a 500), and once the database is back every job
 * acknowledged before runs and new jobs are accepted again.
 */
class StoreOutageIT {
    @TempDir
    Path dir;

    @Test
    void databaseOutage_is503ThenEverythingAcknowledgedRuns() throws Exception {
        try (var schema = new PgSchema(); var proxy = new TcpProxy(PgSchema.host(), PgSchema.port())) {
            var settings = Map.of("port", "0", "host", "127.0.0.1", "data_dir", dir.toString(),
                    "store", PgSchema.url("127.0.0.1", proxy.port()), "store_schema", schema.name,
                    "drain_timeout_seconds", "1");
            var server = SpillwayServer.start(ServerConfig.of(settings), Role.SERVE, List.of());
            try (var api = TestServer.wrap(server)) {
                var before = new ArrayList<String>();
                for (int i = 0; i < 20; i++) {
                    before.add(api.submit("{\"task\": \"sleep\", \"input\": {\"ms\": 100}}"));
                }

                var queue = TestServer.json(api.get("/v1/queue"));
                assertThat(queue.get("table").get("live_rows").isIntegralNumber()).as(queue.toString()).isTrue();

                proxy.down();
                long t0 = System.nanoTime();
                var refused = api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}");
                var unreadable = api.get("/v1/jobs/" + before.getFirst());
                long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                assertThat(unreadable.statusCode()).as(unreadable.body()).isEqualTo(503);
                assertThat(api.get("/readyz").statusCode()).isEqualTo(503);
                assertThat(seconds).as("answers while the database is away must not hang").isLessThan(20);

                proxy.up();
                await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz").statusCode() == 200);
                var after = api.submit("{\"task\": \"echo\", \"input\": {\"back\": true}}");
                for (var id : before) {
                    assertThat(api.awaitJob(id).get("status").asText()).isEqualTo("completed");
                }
                assertThat(api.awaitJob(after).get("status").asText()).isEqualTo("completed");
            }
        }
    }
}
