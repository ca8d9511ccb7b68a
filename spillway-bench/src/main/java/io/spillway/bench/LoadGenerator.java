package io.spillway.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The project's HTTP load generator: {@code spillway bench load}. It drives a fixed number of
 * keep-alive connections, closed loop (as fast as answers come) or open loop (a fixed arrival
 * rate, latency measured from each request's intended start so a stalled server cannot hide
 * its queueing), records latencies in HdrHistogram, and can then wait until every accepted
 * job has finished, taking the end of the run from the jobs' own {@code finished_at}.
 *
 * <p>Each connection runs on its own platform thread. Not reusable: one run per instance.
 */
public final class LoadGenerator {
    private static final long MAX_LATENCY_MICROS = 3_600_000_000L;

    private final LoadSpec spec;
    private final List<String> acceptedIds = Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentHashMap<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong nextIndex = new AtomicLong();

    public LoadGenerator(LoadSpec spec) {
        this.spec = spec;
    }

    /** Runs the load (and the completion wait, if asked) and returns the figures. */
    public LoadReport run() throws InterruptedException {
        byte[] request = HttpConnection.request(spec.body() == null ? "GET" : "POST", spec.host(), spec.port(),
                spec.path(), spec.body(), "application/json");
        var histograms = new ArrayList<Histogram>();
        var measuredCounts = new ArrayList<long[]>();
        var threads = new ArrayList<Thread>();
        Instant wallStart = Instant.now();
        long start = System.nanoTime();
        long measureFrom = start + spec.warmup().toNanos();
        long end = start + spec.duration().toNanos();
        for (int i = 0; i < spec.connections(); i++) {
            var h = new Histogram(MAX_LATENCY_MICROS, 3);
            var count = new long[1];
            histograms.add(h);
            measuredCounts.add(count);
            threads.add(Thread.ofPlatform().name("load-" + i).start(() -> drive(request, start, measureFrom, end, h, count)));
        }
        for (var t : threads) {
            t.join();
        }
        long sendEnd = System.nanoTime();
        var all = new Histogram(MAX_LATENCY_MICROS, 3);
        long measured = 0;
        for (int i = 0; i < histograms.size(); i++) {
            all.add(histograms.get(i));
            measured += measuredCounts.get(i)[0];
        }
        double window = (Math.min(sendEnd, end) - measureFrom) / 1e9;
        var report = LoadReport.builder()
                .put("mode", spec.rate() > 0 ? "open" : "closed")
                .put("connections", spec.connections())
                .put("target_rps", spec.rate())
                .put("duration_s", spec.duration().toMillis() / 1000.0)
                .put("requests", statuses.values().stream().mapToLong(AtomicLong::get).sum())
                .put("rps", measured / window)
                .put("p50_ms", all.getValueAtPercentile(50) / 1000.0)
                .put("p90_ms", all.getValueAtPercentile(90) / 1000.0)
                .put("p99_ms", all.getValueAtPercentile(99) / 1000.0)
                .put("p999_ms", all.getValueAtPercentile(99.9) / 1000.0)
                .put("max_ms", all.getMaxValue() / 1000.0)
                .put("status", statusSummary())
                .put("errors", errors.get());
        if (spec.awaitCompletion()) {
            awaitCompletion(report, wallStart);
        }
        return report.build();
    }

    private void drive(byte[] request, long start, long measureFrom, long end, Histogram h, long[] count) {
        boolean open = spec.rate() > 0;
        double intervalNanos = open ? 1e9 / spec.rate() : 0;
        try (var conn = new HttpConnection(spec.host(), spec.port())) {
            while (true) {
                long intended;
                if (open) {
                    long i = nextIndex.getAndIncrement();
                    intended = start + (long) (i * intervalNanos);
                    if (intended >= end) {
                        return;
                    }
                    long wait = intended - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                } else {
                    intended = System.nanoTime();
                    if (intended >= end) {
                        return;
                    }
                }
                HttpConnection.Response r;
                try {
                    r = conn.exchange(request);
                } catch (IOException e) {
                    errors.incrementAndGet();
                    conn.disconnect();
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                long done = System.nanoTime();
                statuses.computeIfAbsent(r.status(), s -> new AtomicLong()).incrementAndGet();
                if (intended >= measureFrom && done <= end + 10_000_000_000L) {
                    h.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, (done - intended) / 1000)));
                    count[0]++;
                }
                if (spec.awaitCompletion() && r.status() == 202) {
                    acceptedIds.add(field(r.bodyText(), "job_id"));
                }
            }
        }
    }

    /** Long-polls every accepted job until it is terminal; the run ends at the latest finished_at. */
    private void awaitCompletion(LoadReport.Builder report, Instant wallStart) throws InterruptedException {
        var ids = List.copyOf(acceptedIds);
        var latestFinish = new AtomicLong(Long.MIN_VALUE);
        var completed = new AtomicLong();
        var notCompleted = new ConcurrentHashMap<String, String>();
        var threads = new ArrayList<Thread>();
        var endToEnd = new org.HdrHistogram.ConcurrentHistogram(3_600_000L, 3); // created_at → finished_at, ms
        int n = Math.min(spec.connections(), 32);
        for (int t = 0; t < n; t++) {
            int slice = t;
            threads.add(Thread.ofPlatform().name("await-" + t).start(() -> {
                try (var conn = new HttpConnection(spec.host(), spec.port())) {
                    for (int i = slice; i < ids.size(); i += n) {
                        var id = ids.get(i);
                        var get = HttpConnection.request("GET", spec.host(), spec.port(), "/v1/jobs/" + id + "?wait=60", null, null);
                        String status = "pending";
                        String body = "";
                        for (int tries = 0; tries < 10 && !isTerminal(status); tries++) {
                            try {
                                body = conn.exchange(get).bodyText();
                                status = field(body, "status");
                            } catch (IOException e) {
                                conn.disconnect();
                            }
                        }
                        if ("completed".equals(status)) {
                            completed.incrementAndGet();
                            var finished = Instant.parse(field(body, "finished_at")).toEpochMilli();
                            latestFinish.accumulateAndGet(finished, Math::max);
                            endToEnd.recordValue(Math.max(0, finished - Instant.parse(field(body, "created_at")).toEpochMilli()));
                        } else {
                            notCompleted.put(id, status);
                        }
                    }
                }
            }));
        }
        for (var t : threads) {
            t.join();
        }
        double seconds = (latestFinish.get() - wallStart.toEpochMilli()) / 1000.0;
        report.put("accepted", ids.size())
                .put("completed", completed.get())
                .put("not_completed", notCompleted.size())
                .put("e2e_s", seconds)
                .put("e2e_jobs_per_s", ids.isEmpty() || seconds <= 0 ? 0.0 : completed.get() / seconds)
                .put("job_latency_p50_ms", (double) endToEnd.getValueAtPercentile(50))
                .put("job_latency_p99_ms", (double) endToEnd.getValueAtPercentile(99));
    }

    private static boolean isTerminal(String status) {
        return switch (status) {
            case "completed", "failed", "cancelled", "expired" -> true;
            default -> false;
        };
    }

    private String statusSummary() {
        var sb = new StringBuilder();
        statuses.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(sb.isEmpty() ? "" : ",").append(e.getKey()).append(':').append(e.getValue().get()));
        return sb.isEmpty() ? "none" : sb.toString();
    }

    /** The string value of {@code "name":"..."} in a flat JSON text, or "" when absent. */
    static String field(String json, String name) {
        var key = "\"" + name + "\":\"";
        int i = json.indexOf(key);
        if (i < 0) {
            return "";
        }
        int from = i + key.length();
        int to = json.indexOf('"', from);
        return to < 0 ? "" : json.substring(from, to);
    }

    /** Helper for callers that build a spec from a URL-like host:port. */
    public static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
