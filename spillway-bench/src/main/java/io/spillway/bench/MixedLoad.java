package io.spillway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Interactive work beside a batch backlog, over HTTP, in three phases on one server: interactive
 * jobs alone at a steady rate; then a batch backlog alone (kept at least {@code backlog} pending
 * jobs deep, topped up every 100 ms); then both at once. Each interactive job is long-polled to its
 * end and timed from its submit; the batch task's drain rate comes from the server's queue
 * ({@code /v1/queue}: what was pending and running at the start, what was submitted, what is left).
 * {@code spillway bench mixed} runs it; the figures say whether the interactive jobs keep their
 * latency and the batch work its rate.
 *
 * @param base           the server
 * @param phase          how long each phase runs
 * @param perSecond      interactive jobs submitted per second
 * @param backlog        batch jobs kept pending
 * @param interactive    the body of an interactive job; {@code {n}} in it becomes the job's number
 * @param batch          the body of a batch job
 * @param batchTask      the batch job's task, as {@code /v1/queue} names it
 */
public record MixedLoad(URI base, Duration phase, double perSecond, int backlog, String interactive, String batch,
                        String batchTask) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public LoadReport run() throws IOException, InterruptedException {
        try (var http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
            var out = LoadReport.builder();
            warmUp(http);
            var alone = interactive(http, phase);
            alone.into(out, "interactive_alone");
            topUp(http);
            var batchAlone = drainRate(http, () -> Thread.sleep(phase.toMillis()));
            out.put("batch_alone_per_s", round(batchAlone));
            var mixed = new Interactive[1];
            double batchMixed = drainRate(http, () -> mixed[0] = interactive(http, phase));
            mixed[0].into(out, "interactive_mixed");
            out.put("batch_mixed_per_s", round(batchMixed));
            out.put("batch_rate_ratio", batchAlone > 0 ? round(batchMixed / batchAlone) : 0);
            return out.build();
        }
    }

    private interface Phase {
        void run() throws IOException, InterruptedException;
    }

    /** Latencies of the interactive jobs of one phase, and the model time they reported. */
    private record Interactive(Histogram endToEnd, Histogram computeMs, long failed) {
        void into(LoadReport.Builder out, String prefix) {
            out.put(prefix + "_jobs", endToEnd.getTotalCount())
                    .put(prefix + "_not_completed", failed)
                    .put(prefix + "_p50_ms", endToEnd.getValueAtPercentile(50) / 1000.0)
                    .put(prefix + "_p99_ms", endToEnd.getValueAtPercentile(99) / 1000.0)
                    .put(prefix + "_compute_p50_ms", (double) computeMs.getValueAtPercentile(50))
                    .put(prefix + "_compute_p99_ms", (double) computeMs.getValueAtPercentile(99));
        }
    }

    /** Runs a few jobs of each kind to their end, so models are loaded and code is compiled before anything is timed. */
    private void warmUp(HttpClient http) throws IOException, InterruptedException {
        for (int i = 0; i < 20; i++) {
            for (var body : new String[] {interactive.replace("{n}", "warm-up " + i), batch}) {
                var id = post(http, body).get("job_id").asText();
                get(http, "/v1/jobs/" + id + "?wait=60");
            }
        }
    }

    /** Submits interactive jobs at the rate for {@code length}, each long-polled to its end. */
    private Interactive interactive(HttpClient http, Duration length) throws InterruptedException {
        var endToEnd = new Histogram(600_000_000L, 3);
        var compute = new Histogram(600_000L, 3);
        var failed = new AtomicLong();
        long gapNanos = (long) (1e9 / perSecond);
        long start = System.nanoTime();
        long end = start + length.toNanos();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long n = 0;
            for (long next = start; next < end; next += gapNanos) {
                var body = interactive.replace("{n}", String.valueOf(n++));
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                pool.submit(() -> {
                    long t0 = System.nanoTime();
                    try {
                        var id = post(http, body).get("job_id").asText();
                        var job = get(http, "/v1/jobs/" + id + "?wait=60");
                        long micros = (System.nanoTime() - t0) / 1000;
                        if (!job.path("status").asText().equals("completed")) {
                            failed.incrementAndGet();
                            return;
                        }
                        synchronized (endToEnd) {
                            endToEnd.recordValue(micros);
                            long ms = job.at("/result/usage/compute_ms").asLong(-1);
                            if (ms >= 0) {
                                compute.recordValue(ms);
                            }
                        }
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        failed.incrementAndGet();
                    }
                });
            }
        }
        return new Interactive(endToEnd, compute, failed.get());
    }

    /** Batch jobs drained per second while {@code phase} runs, the backlog kept topped up meanwhile. */
    private double drainRate(HttpClient http, Phase phase) throws IOException, InterruptedException {
        var submitted = new AtomicLong();
        long before = batchInSystem(http);
        long t0 = System.nanoTime();
        var keeper = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    submitted.addAndGet(topUp(http));
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    // the next round tries again
                }
            }
        });
        phase.run();
        keeper.interrupt();
        keeper.join();
        long after = batchInSystem(http);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return (before + submitted.get() - after) / seconds;
    }

    /** Submits batch jobs until {@code backlog} are pending; returns how many it submitted. */
    private long topUp(HttpClient http) throws IOException, InterruptedException {
        long missing = backlog - batchQueue(http).at("/pending/batch").asLong();
        if (missing <= 0) {
            return 0;
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var calls = new ArrayList<Future<JsonNode>>();
            for (long i = 0; i < missing; i++) {
                calls.add(pool.submit(() -> post(http, batch)));
            }
            for (var c : calls) {
                try {
                    c.get();
                } catch (ExecutionException e) {
                    throw new IOException("a batch submit failed: " + e.getCause(), e.getCause());
                }
            }
        }
        return missing;
    }

    /** The batch task's jobs pending or running now. */
    private long batchInSystem(HttpClient http) throws IOException, InterruptedException {
        var q = batchQueue(http);
        long pending = 0;
        for (var p : q.path("pending")) {
            pending += p.asLong();
        }
        return pending + q.path("running").asLong();
    }

    private JsonNode batchQueue(HttpClient http) throws IOException, InterruptedException {
        return get(http, "/v1/queue").path("tasks").path(batchTask);
    }

    private JsonNode post(HttpClient http, String body) throws IOException, InterruptedException {
        var r = http.send(HttpRequest.newBuilder(base.resolve("/v1/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IOException("submit answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private JsonNode get(HttpClient http, String path) throws IOException, InterruptedException {
        var r = http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
