package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.documents.testing.HostileDocuments;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uploads that took the server down, sent at once to {@code spillway serve} in a child
 * process with a 256 MiB heap: a 1 GB zip bomb, a 45 MB document of ordinary compression, and a
 * document whose properties need more memory than an extraction has. Each job fails or is cut
 * with its reason, and the server goes on answering and extracting.
 */
class HostileDocumentsIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path work;

    @Test
    void hostileUploadsAtOnce_failTheirOwnJobsAndTheServerStaysHealthy() throws Exception {
        var bomb = work.resolve("bomb.docx");
        HostileDocuments.zipBomb(bomb, 1100L << 20);
        var large = work.resolve("large.docx");
        HostileDocuments.largeDocument(large, 315L << 20);
        var heavy = work.resolve("heavy.docx");
        HostileDocuments.largeProperties(heavy, 100L << 20);
        var plain = work.resolve("notes.txt");
        Files.writeString(plain, "Meeting notes: the launch moves to May.");

        try (var server = ChildServer.start(work.resolve("data"))) {
            var base = "http://127.0.0.1:" + server.port();
            var uploads = new ArrayList<CompletableFuture<HttpResponse<String>>>();
            for (var file : List.of(bomb, large, heavy)) {
                uploads.add(client.sendAsync(upload(base, file), HttpResponse.BodyHandlers.ofString()));
            }
            var ids = new ArrayList<String>();
            for (var u : uploads) {
                var r = u.get();
                assertThat(r.statusCode()).as("%s%nlog:%n%s", r.body(), server.log()).isEqualTo(202);
                ids.add(MAPPER.readTree(r.body()).get("job_id").asText());
            }

            var bombJob = awaitJob(base, ids.get(0));
            var largeJob = awaitJob(base, ids.get(1));
            var heavyJob = awaitJob(base, ids.get(2));

            assertThat(bombJob.get("status").asText()).as(bombJob.toString()).isEqualTo("failed");
            assertThat(bombJob.toString()).contains("zip bomb").contains("word/document.xml");
            assertThat(largeJob.get("status").asText()).as(largeJob.toString()).isEqualTo("completed");
            assertThat(largeJob.at("/result/truncated").asBoolean()).isTrue();
            assertThat(largeJob.at("/result/metadata/characters").asInt()).isGreaterThan(900_000);
            assertThat(heavyJob.get("status").asText()).as(heavyJob.toString()).isEqualTo("failed");
            assertThat(heavyJob.toString()).contains("needs more memory");

            var health = client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            var after = client.send(upload(base, plain), HttpResponse.BodyHandlers.ofString());
            assertThat(after.statusCode()).isEqualTo(202);
            var plainJob = awaitJob(base, MAPPER.readTree(after.body()).get("job_id").asText());
            assertThat(plainJob.at("/result/text").asText()).as(plainJob.toString()).contains("launch moves to May");
            assertThat(server.log()).doesNotContain("OutOfMemoryError: Java heap space\n\tat");
        }
    }

    private static HttpRequest upload(String base, Path file) throws IOException {
        var boundary = "hostile-boundary";
        var head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file.getFileName()
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        var tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(URI.create(base + "/v1/documents?task=extract"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
    }

    private JsonNode awaitJob(String base, String id) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            var r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id + "?wait=30"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            var job = MAPPER.readTree(r.body());
            var status = job.path("status").asText();
            if (status.equals("completed") || status.equals("failed") || System.nanoTime() > end) {
                return job;
            }
        }
    }
}
