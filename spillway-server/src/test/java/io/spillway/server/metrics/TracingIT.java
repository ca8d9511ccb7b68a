package io.spillway.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.spillway.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenTelemetry export, configured the standard way (otel.* properties), against a stand-in OTLP
 * collector: the accept span and the run span of a job arrive, in the client's trace.
 */
class TracingIT {
    @TempDir
    Path dir;

    @Test
    void configuredExport_sendsTheAcceptAndRunSpansInTheClientsTrace() throws Exception {
        var bodies = new CopyOnWriteArrayList<byte[]>();
        var collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            bodies.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        var properties = Map.of(
                "otel.traces.exporter", "otlp",
                "otel.exporter.otlp.protocol", "http/protobuf",
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getAddress().getPort(),
                "otel.bsp.schedule.delay", "50");
        properties.forEach(System::setProperty);
        var traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        try (var api = TestServer.start(dir, Map.of(), List.of())) {
            var r = api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}", "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
            api.awaitJob(TestServer.json(r).get("job_id").asText());

            var traceBytes = HexFormat.of().parseHex(traceId);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var all = new ByteArrayOutputStream();
                bodies.forEach(all::writeBytes);
                var text = all.toString(StandardCharsets.ISO_8859_1);
                assertThat(text).contains("POST /v1/jobs").contains("run echo").contains("spillway");
                assertThat(count(all.toByteArray(), traceBytes)).as("spans in the client's trace").isGreaterThanOrEqualTo(2);
            });
        } finally {
            properties.keySet().forEach(System::clearProperty);
            collector.stop(0);
        }
    }

    private static int count(byte[] haystack, byte[] needle) {
        int n = 0;
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }
}
