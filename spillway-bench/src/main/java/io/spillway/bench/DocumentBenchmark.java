package io.spillway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Documents through a running server: {@code connections} clients each upload the same file to
 * {@code POST /v1/documents}, long-poll its job to the end, and repeat until {@code documents}
 * have been sent. Reports documents per second, end-to-end latency, and the mean time of each
 * pipeline step as the jobs' results record it (where the time goes).
 */
public final class DocumentBenchmark {
    private static final ObjectMapper JSON = Json.MAPPER;

    private DocumentBenchmark() {
    }

    public static LoadReport run(URI base, byte[] file, String filename, String task, int documents, int connections)
            throws InterruptedException {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        var body = multipart(file, filename);
        var latency = new Histogram(3_600_000_000_000L, 3);
        var sent = new AtomicInteger();
        var failed = new AtomicInteger();
        var results = new ConcurrentLinkedQueue<JsonNode>();
        var threads = new ArrayList<Thread>();
        long start = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (sent.getAndIncrement() < documents) {
                    long t0 = System.nanoTime();
                    try {
                        var job = uploadAndWait(client, base, task, body);
                        synchronized (latency) {
                            latency.recordValue(System.nanoTime() - t0);
                        }
                        if ("completed".equals(job.path("status").asText())) {
                            results.add(job.get("result"));
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (var t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, long[]> steps = new TreeMap<>();
        for (var r : results) {
            for (var s : r.path("steps")) {
                var acc = steps.computeIfAbsent(s.path("step").asText(), k -> new long[2]);
                acc[0] += s.path("ms").asLong();
                acc[1]++;
            }
        }
        var report = LoadReport.builder()
                .put("documents", results.size())
                .put("failed", failed.get())
                .put("connections", connections)
                .put("bytes", file.length)
                .put("documents_per_s", results.size() / seconds)
                .put("p50_ms", latency.getValueAtPercentile(50) / 1e6)
                .put("p99_ms", latency.getValueAtPercentile(99) / 1e6);
        steps.forEach((step, acc) -> report.put("step_" + step + "_mean_ms", (double) acc[0] / acc[1]));
        return report.build();
    }

    private static JsonNode uploadAndWait(HttpClient client, URI base, String task, byte[] body)
            throws IOException, InterruptedException {
        var upload = client.send(HttpRequest.newBuilder(base.resolve("/v1/documents?task=" + task))
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (upload.statusCode() != 202) {
            throw new IOException("upload answered " + upload.statusCode() + ": " + upload.body());
        }
        var id = JSON.readTree(upload.body()).get("job_id").asText();
        while (true) {
            var r = client.send(HttpRequest.newBuilder(base.resolve("/v1/jobs/" + id + "?wait=30")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var job = JSON.readTree(r.body());
            var status = job.path("status").asText();
            if (List.of("completed", "failed", "cancelled", "expired").contains(status)) {
                return job;
            }
        }
    }

    private static final String BOUNDARY = "spillway-bench-boundary";

    private static byte[] multipart(byte[] file, String filename) {
        var out = new ByteArrayOutputStream(file.length + 512);
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
