package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.server.RawHttp;
import io.spillway.server.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send slowly or open many connections, against a server with small limits (a
 * 1 s read timeout, 8 request threads, platform threads as by default): ordinary requests are
 * still answered, and the slow connections are closed once they fall behind.
 */
class SlowClientsIT {
    @TempDir
    Path dir;
    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    private TestServer api;

    @AfterEach
    void stop() throws IOException {
        trickle.shutdownNow();
        for (var s : sockets) {
            s.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private void start(Map<String, String> settings) {
        var all = new HashMap<>(Map.of("http_threads", "8", "request_read_timeout_seconds", "1",
                "min_request_bytes_per_second", "1KiB"));
        all.putAll(settings);
        api = TestServer.start(dir.resolve("data"), all, List.of());
    }

    private Socket connect(String localAddress) throws IOException {
        var s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        s.connect(new InetSocketAddress("127.0.0.1", api.server.port()), 5_000);
        s.setSoTimeout(15_000);
        return s;
    }

    /** Sends {@code head} at once, then one byte of {@code trickled} every 200 ms until the server closes. */
    private Socket slow(String head, String trickled) throws IOException {
        var s = connect("127.0.0.1");
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        var bytes = trickled.getBytes(StandardCharsets.US_ASCII);
        int[] next = {0};
        var task = new AtomicReference<Future<?>>();
        task.set(trickle.scheduleAtFixedRate(() -> {
            try {
                out.write(bytes[next[0]++ % bytes.length]);
                out.flush();
            } catch (IOException e) {
                task.get().cancel(false);
            }
        }, 200, 200, TimeUnit.MILLISECONDS));
        return s;
    }

    /** Whether the server closed the connection (end of stream or reset) before the socket's read timeout. */
    private static boolean closedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    /** A health check's status; a socket timeout (5 s, far below the slow clients' read deadline) fails the test. */
    private int ordinaryRequest() throws IOException {
        try (var http = new RawHttp(api.server.port(), Duration.ofSeconds(5))) {
            return http.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status();
        }
    }

    @Test
    void bodiesSentAByteAtATime_holdNoThreadAndAreClosedAfterTheDeadline() throws Exception {
        start(Map.of("request_read_timeout_seconds", "10")); // long enough that the others must be served beside them
        var slow = new ArrayList<Socket>();
        for (int i = 0; i < 40; i++) {
            slow.add(slow("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{", "\"task\": \"echo\""));
        }

        assertThat(ordinaryRequest()).isEqualTo(200);
        var job = "{\"task\": \"echo\", \"input\": {}}";
        try (var http = new RawHttp(api.server.port(), Duration.ofSeconds(5))) {
            http.send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + job.length() + "\r\n\r\n" + job);
            assertThat(http.read().status()).isEqualTo(202);
        }
        for (var s : slow) {
            assertThat(closedByServer(s)).as("a slow body is cut off").isTrue();
        }
        assertThat(ordinaryRequest()).isEqualTo(200);
    }

    @Test
    void uploadsSentAByteAtATime_holdNoThread() throws Exception {
        start(Map.of("request_read_timeout_seconds", "30")); // the slow uploads stay while the others are served
        var boundary = "slow-boundary";
        var slow = new ArrayList<Socket>();
        for (int i = 0; i < 40; i++) {
            slow.add(slow("POST /v1/documents?task=extract HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; "
                    + "boundary=" + boundary + "\r\nContent-Length: 100000\r\n\r\n--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n", "slow text "));
        }

        assertThat(ordinaryRequest()).isEqualTo(200);
        var upload = UploadsIT.multipart("notes.txt", "Plain notes.".getBytes(StandardCharsets.UTF_8));
        try (var http = new RawHttp(api.server.port(), Duration.ofSeconds(10))) {
            http.send("POST /v1/documents?task=extract HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary="
                    + UploadsIT.BOUNDARY + "\r\nContent-Length: " + upload.length + "\r\n\r\n");
            http.send(upload);
            assertThat(http.read().status()).as("an upload beside 40 slow ones").isEqualTo(202);
        }
        assertThat(ordinaryRequest()).isEqualTo(200);
    }

    @Test
    void headersSentAByteAtATime_areClosedAfterTheDeadline() throws Exception {
        start(Map.of());
        var slow = new ArrayList<Socket>();
        for (int i = 0; i < 40; i++) {
            slow.add(slow("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", "abcdefgh"));
        }

        assertThat(ordinaryRequest()).isEqualTo(200);
        for (var s : slow) {
            assertThat(closedByServer(s)).as("slow headers are cut off").isTrue();
        }
    }

    @Test
    void aSlowButSteadyUpload_isNotCutOff() throws Exception {
        start(Map.of("min_request_bytes_per_second", "2KiB"));
        var body = "{\"task\": \"echo\", \"input\": {\"pad\": \"" + "x".repeat(12_000) + "\"}}";
        try (var http = new RawHttp(api.server.port(), Duration.ofSeconds(30))) {
            http.send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n");
            var bytes = body.getBytes(StandardCharsets.US_ASCII);
            var sent = new CountDownLatch(1);
            int[] offset = {0};
            trickle.scheduleAtFixedRate(() -> { // 4 KiB/s for 3 s: over the 1 s timeout, above the minimum rate
                try {
                    int n = Math.min(400, bytes.length - offset[0]);
                    if (n > 0) {
                        http.send(Arrays.copyOfRange(bytes, offset[0], offset[0] + n));
                        offset[0] += n;
                    }
                    if (offset[0] == bytes.length) {
                        sent.countDown();
                    }
                } catch (IOException e) {
                    sent.countDown();
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            sent.await();
            assertThat(http.read().status()).isEqualTo(202);
        }
    }

    @Test
    void oneAddress_holdsAtMostItsLimitAndOthersAreServed() throws Exception {
        start(Map.of("max_connections_per_address", "5"));
        var held = new ArrayList<Socket>();
        for (int i = 0; i < 5; i++) {
            held.add(connect("127.0.0.1"));
        }
        // the sixth only counts once the first five are open on the server's side
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            var extra = connect("127.0.0.1");
            extra.setSoTimeout(2_000);
            return closedByServer(extra);
        });

        try (var other = new RawHttp(api.server.port(), Duration.ofSeconds(5), "127.0.0.2")) {
            var r = other.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
            assertThat(r.status()).as("another address is served").isEqualTo(200);
        }
        var first = held.getFirst();
        first.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(first.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (var again = new RawHttp(api.server.port(), Duration.ofSeconds(5))) {
                return again.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").read().status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
