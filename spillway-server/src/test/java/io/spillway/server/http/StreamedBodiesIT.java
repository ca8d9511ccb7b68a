package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.server.RawHttp;
import io.spillway.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that stream their body (Node's fetch, the OpenAI SDK) send the headers, then the body,
 * without waiting for anything. Routes that answer without reading the body (an unknown route,
 * a cancel of an unknown job, an early 4xx) must still let them finish: the whole answer arrives,
 * without a reset, and the connection serves the next request.
 */
class StreamedBodiesIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer api;

    @BeforeAll
    static void start(@TempDir Path tmp) {
        api = TestServer.start(tmp.resolve("data"), Map.of(), List.of());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** Streams a 900 KB chunked body right after the headers, then reads the answer and sends a second request. */
    private static RawHttp.Response streamTo(String method, String path, String contentType, boolean chunked) throws Exception {
        var piece = new byte[8192];
        Arrays.fill(piece, (byte) ' ');
        int pieces = 110;
        try (var http = new RawHttp(api.server.port(), Duration.ofSeconds(30))) {
            http.send(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType + "\r\n"
                    + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + pieces * piece.length) + "\r\n\r\n");
            for (int i = 0; i < pieces; i++) {
                if (chunked) {
                    http.chunk(piece);
                } else {
                    http.send(piece);
                }
            }
            if (chunked) {
                http.chunk(new byte[0]);
            }
            var answer = http.read();
            assertThat(answer.header("Connection")).as("the connection stays open").isNotEqualTo("close");
            var next = http.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertThat(next.status()).as("the next request on the same connection").isEqualTo(200);
            return answer;
        }
    }

    private static void assertProblem(RawHttp.Response r, int status) throws Exception {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(JSON.readTree(r.body()).get("status").asInt()).isEqualTo(status);
    }

    @Test
    void anUnknownRoute_readsTheStreamedBodyBeforeAnswering() throws Exception {
        assertProblem(streamTo("POST", "/v1/nope", "application/json", true), 404);
        assertProblem(streamTo("POST", "/v1/nope", "application/json", false), 404);
    }

    @Test
    void aCancelOfAnUnknownJob_readsTheStreamedBody() throws Exception {
        assertProblem(streamTo("POST", "/v1/jobs/job_00000000000000000000000000/cancel", "application/json", true), 404);
    }

    @Test
    void earlyRefusals_readTheStreamedBody() throws Exception {
        assertProblem(streamTo("POST", "/v1/jobs", "text/plain", true), 415);
        assertProblem(streamTo("POST", "/v1/documents", "application/json", true), 415);
        assertProblem(streamTo("PUT", "/v1/jobs", "application/json", true), 405);
    }

    @Test
    void aBodyThatIsRead_isUnaffected() throws Exception {
        var body = ("{\"task\": \"echo\", \"input\": {}}").getBytes(StandardCharsets.US_ASCII);
        try (var http = new RawHttp(api.server.port(), Duration.ofSeconds(30))) {
            http.send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            http.chunk(body).chunk(new byte[0]);
            assertThat(http.read().status()).isEqualTo(202);
        }
    }
}
