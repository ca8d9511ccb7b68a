package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.spillway.server.BrokenTask;
import io.spillway.server.SpillwayServer;
import io.spillway.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What the server does for the dashboard at /ui: its totals, the way to it, and the line that names it. */
class DashboardIT {
    @TempDir
    Path dir;

    @Test
    void stats_countTheFailedJobsTheStoreHolds_notThoseOfThisProcess() {
        try (var api = TestServer.start(dir, Map.of(), List.of(new BrokenTask()))) {
            for (int i = 0; i < 2; i++) {
                assertThat(api.awaitJob(api.submit("{\"task\": \"broken\", \"input\": {}}")).get("status").asText())
                        .isEqualTo("failed");
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    TestServer.json(api.get("/v1/stats")).at("/store/failed").asLong()).isEqualTo(2));
        }
        try (var restarted = TestServer.start(dir, Map.of(), List.of(new BrokenTask()))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                var stats = TestServer.json(restarted.get("/v1/stats"));
                assertThat(stats.at("/store/failed").asLong()).as(stats.toString()).isEqualTo(2);
                assertThat(stats.at("/finished/failed").asDouble()).as("this process's own count").isZero();
            });
        }
    }

    @Test
    void root_redirectsToTheDashboard() {
        try (var api = TestServer.start(dir)) {
            var r = api.get("/");

            assertThat(r.statusCode()).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).hasValue("/ui");
            assertThat(api.get(r.headers().firstValue("Location").orElseThrow()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void startLine_namesTheDashboard() {
        var logger = (Logger) LoggerFactory.getLogger(SpillwayServer.class);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        var level = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        try (var api = TestServer.start(dir)) {
            var port = api.uri("/").getPort();
            assertThat(appender.list).map(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains("listening on http://127.0.0.1:" + port)
                            .endsWith("dashboard at http://127.0.0.1:" + port + "/ui"));
        } finally {
            logger.setAdditive(true);
            logger.setLevel(level);
            logger.detachAppender(appender);
        }
    }
}
