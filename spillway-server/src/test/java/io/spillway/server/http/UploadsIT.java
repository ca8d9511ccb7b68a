package io.spillway.server.http;

import static io.spillway.server.RawHttp.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.server.RawHttp;
import io.spillway.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile uploads to POST /v1/documents over raw sockets: each is a 4xx problem, never a 500, and leaves no file. */
class UploadsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String BOUNDARY = "hostile-boundary";
    static TestServer api;
    static Path data;

    @BeforeAll
    static void start(@TempDir Path tmp) {
        data = tmp.resolve("data");
        api = TestServer.start(data, Map.of(), List.of());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static byte[] multipart(String filename, byte[] content) {
        var body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    static RawHttp.Response post(String contentType, byte[] body) throws IOException {
        var head = "POST /v1/documents?task=extract HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n\r\n";
        var request = new ByteArrayOutputStream();
        request.writeBytes(ascii(head));
        request.writeBytes(body);
        return RawHttp.exchange(api.server.port(), request.toByteArray());
    }

    static void assertProblem(RawHttp.Response r, int status, String detail) throws IOException {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        var problem = JSON.readTree(r.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).contains(detail);
    }

    /** The files of the documents and the upload spool, besides documents' descriptions. */
    static Set<String> files() throws IOException {
        var out = new TreeSet<String>();
        for (var sub : List.of("documents", "uploads")) {
            var d = data.resolve(sub);
            if (Files.isDirectory(d)) {
                try (var files = Files.list(d)) {
                    files.map(p -> sub + "/" + p.getFileName()).filter(n -> !n.endsWith(".json")).forEach(out::add);
                }
            }
        }
        return out;
    }

    @Test
    void aMalformedMultipartBody_is400() throws Exception {
        var before = files();
        assertProblem(post("multipart/form-data; boundary=" + BOUNDARY, ascii("this is not multipart at all")), 400, "multipart");
        assertProblem(post("multipart/form-data", multipart("a.txt", ascii("hello"))), 400, "multipart");
        var cut = multipart("a.txt", ascii("hello there"));
        assertProblem(post("multipart/form-data; boundary=" + BOUNDARY, Arrays.copyOf(cut, cut.length - 20)), 400,
                "multipart");
        assertThat(files()).as("files left by refused uploads").isEqualTo(before);
    }

    @Test
    void aFilenameThatNamesNoFile_is400() throws Exception {
        var before = files();
        assertProblem(post("multipart/form-data; boundary=" + BOUNDARY, multipart("/", ascii("hello there"))), 400, "filename");
        assertProblem(post("multipart/form-data; boundary=" + BOUNDARY, multipart("..", ascii("hello there"))), 400, "filename");
        assertThat(files()).as("files left by refused uploads").isEqualTo(before);
    }

    @Test
    void aFilenameWithANulByte_is400() throws Exception {
        var before = files();
        assertProblem(post("multipart/form-data; boundary=" + BOUNDARY, multipart("a\u0000b.txt", ascii("hello there"))), 400,
                "filename");
        var encoded = ascii(new String(multipart("a.txt", ascii("hello there")), StandardCharsets.ISO_8859_1)
                .replace("filename=\"a.txt\"", "filename*=UTF-8''a%00b.txt"));
        assertProblem(post("multipart/form-data; boundary=" + BOUNDARY, encoded), 400, "control character (U+0000)");
        assertThat(files()).as("files left by refused uploads").isEqualTo(before);
    }

    @Test
    void aFilenameWithAPath_keepsItsLastSegment() throws Exception {
        var r = post("multipart/form-data; boundary=" + BOUNDARY, multipart("C:\\Users\\dana\\notes.txt", ascii("Plain notes.")));
        assertThat(r.status()).as(r.text()).isEqualTo(202);

        var job = api.awaitJob(JSON.readTree(r.body()).get("job_id").asText());

        assertThat(job.at("/result/metadata/filename").asText()).isEqualTo("notes.txt");
    }

    @Test
    void a60MBChunkedUpload_is413() throws Exception {
        var before = files();
        try (var http = new RawHttp(api.server.port(), Duration.ofSeconds(60))) {
            http.send("POST /v1/documents?task=extract HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary="
                    + BOUNDARY + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            var writer = CompletableFuture.runAsync(() -> {
                try {
                    http.chunk(ascii("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\r\n"));
                    var mb = new byte[1 << 20];
                    Arrays.fill(mb, (byte) 'x');
                    for (int i = 0; i < 60; i++) {
                        http.chunk(mb);
                    }
                    http.chunk(ascii("\r\n--" + BOUNDARY + "--\r\n"));
                    http.chunk(new byte[0]);
                } catch (IOException e) {
                    // the server may stop reading once it has answered
                }
            });
            var r = http.read();
            assertProblem(r, 413, "max_upload_bytes");
            writer.join();
        }
        assertThat(files()).as("files left by refused uploads").isEqualTo(before);
    }
}
