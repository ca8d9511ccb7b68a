package io.spillway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.task.TaskHandler;
import io.spillway.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real server on port 0 in a temp directory, and a client for it whose every answer is checked
 * against the OpenAPI document. One per test class or test.
 */
public final class TestServer implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public final SpillwayServer server;
    public final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    private TestServer(SpillwayServer server) {
        this.server = server;
        this.base = "http://127.0.0.1:" + server.port();
    }

    public static TestServer start(Path dataDir, Map<String, String> settings, List<TaskHandler> tasks) {
        var all = new HashMap<>(settings);
        all.put("port", "0");
        all.put("host", "127.0.0.1");
        all.put("data_dir", dataDir.toString());
        all.putIfAbsent("drain_timeout_seconds", "1");
        // no remote models from the developer's environment (OPENAI_API_KEY) unless a test configures them
        return new TestServer(SpillwayServer.start(ServerConfig.of(all), Role.SERVE, tasks, Map.of()));
    }

    /** A client for a server the test started itself; closing it stops the server. */
    public static TestServer wrap(SpillwayServer server) {
        return new TestServer(server);
    }

    public static TestServer start(Path dataDir) {
        return start(dataDir, Map.of(), List.of());
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }

    /** Sends the request; fails unless the answer is what /openapi.json describes ({@link OpenApiResponses}). */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            var built = request.timeout(Duration.ofSeconds(90)).build();
            var response = client.send(built, HttpResponse.BodyHandlers.ofString());
            OpenApiResponses.get().check(built.method(), built.uri().getRawPath(), response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(null), response.body());
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> post(String path, String json, String... headers) {
        var b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    public HttpResponse<String> get(String path, String... headers) {
        var b = HttpRequest.newBuilder(uri(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** Submits and returns the job id; fails unless the answer is 202. */
    public String submit(String json) {
        var r = post("/v1/jobs", json);
        if (r.statusCode() != 202) {
            throw new AssertionError("expected 202, got " + r.statusCode() + ": " + r.body());
        }
        return json(r).get("job_id").asText();
    }

    /** The job after a long poll of up to 30 s. */
    public JsonNode awaitJob(String id) {
        return json(get("/v1/jobs/" + id + "?wait=30"));
    }

    public static JsonNode json(HttpResponse<String> r) {
        try {
            return MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
