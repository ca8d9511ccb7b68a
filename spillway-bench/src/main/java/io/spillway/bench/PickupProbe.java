package io.spillway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.HdrHistogram.Histogram;

/**
 * Pickup latency on an idle system, over HTTP: submits one job at a time, long-polls it to the
 * end, and records how long it waited between its commit and its start ({@code started_at -
 * created_at}, as the store recorded them, millisecond resolution) and the client's whole
 * submit-to-completed time. {@code spillway bench probe} runs it, e.g. against a gateway whose
 * workers are other processes.
 */
public final class PickupProbe {
    private PickupProbe() {
    }

    public static LoadReport run(String host, int port, int probes, long pauseMillis) throws IOException, InterruptedException {
        var pickup = new Histogram(3_600_000L, 3);
        var roundTrip = new Histogram(3_600_000_000L, 3);
        var body = "{\"task\":\"echo\",\"input\":{\"probe\":true}}".getBytes(StandardCharsets.UTF_8);
        var post = HttpConnection.request("POST", host, port, "/v1/jobs", body, "application/json");
        int failed = 0;
        try (var conn = new HttpConnection(host, port)) {
            for (int i = 0; i < probes; i++) {
                long t0 = System.nanoTime();
                var accepted = conn.exchange(post);
                var id = LoadGenerator.field(accepted.bodyText(), "job_id");
                var job = conn.exchange(HttpConnection.request("GET", host, port, "/v1/jobs/" + id + "?wait=30", null, null)).bodyText();
                long t1 = System.nanoTime();
                if (!"completed".equals(LoadGenerator.field(job, "status"))) {
                    failed++;
                    continue;
                }
                var created = Instant.parse(LoadGenerator.field(job, "created_at"));
                var started = Instant.parse(LoadGenerator.field(job, "started_at"));
                pickup.recordValue(Math.max(0, started.toEpochMilli() - created.toEpochMilli()));
                roundTrip.recordValue((t1 - t0) / 1000);
                Thread.sleep(pauseMillis);
            }
        }
        return LoadReport.builder()
                .put("probes", probes)
                .put("not_completed", failed)
                .put("pickup_p50_ms", (double) pickup.getValueAtPercentile(50))
                .put("pickup_p99_ms", (double) pickup.getValueAtPercentile(99))
                .put("pickup_max_ms", (double) pickup.getMaxValue())
                .put("submit_to_completed_p50_ms", roundTrip.getValueAtPercentile(50) / 1000.0)
                .put("submit_to_completed_p99_ms", roundTrip.getValueAtPercentile(99) / 1000.0)
                .build();
    }
}
