package io.spillway.server.metrics;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.engine.EngineListener;
import io.spillway.core.store.QueueStats;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Spillway's Prometheus metrics (Micrometer): what the engine reports through
 * {@link EngineListener}, HTTP requests, and the queue as last sampled. Names carry the
 * {@code spillway_} prefix and their unit; counters end in {@code _total}. Tenants are never a
 * label. docs/observability.md lists every series with its labels. Thread-safe.
 */
public final class Metrics implements EngineListener {
    private static final Duration[] SLO = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofMinutes(5)};
    /**
     * HTTP latency buckets: a fixed set, because the series multiply by method, route and status.
     * A long poll ({@code ?wait=}) lasts up to its wait, so the set reaches a minute.
     */
    private static final Duration[] HTTP_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MultiGauge queueDepth;
    private final MultiGauge taskRunning;
    private final MultiGauge taskDrainRate;
    private final MultiGauge taskTimeToDrain;
    private final AtomicReference<QueueStats> lastQueue = new AtomicReference<>(new QueueStats(0, 0, Duration.ZERO));
    private final AtomicLong lastFailedInStore = new AtomicLong();
    // recent end-to-end percentiles for the dashboard; kept out of the Prometheus registry
    private final SimpleMeterRegistry recent =
            new SimpleMeterRegistry();
    private final Timer recentEndToEnd = Timer.builder("recent.end.to.end").publishPercentiles(0.5, 0.99)
            .distributionStatisticExpiry(Duration.ofSeconds(10)).distributionStatisticBufferLength(2)
            .register(recent);

    // meters looked up once per label set: a registry lookup per job or request costs more than the recording
    private final ConcurrentHashMap<String, TaskMeters> tasks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<HttpKey, Timer> httpTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> commitTimers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DistributionSummary> commitSizes = new ConcurrentHashMap<>();

    private record HttpKey(String method, String route, int status) {
    }

    /** The meters of one task. */
    private final class TaskMeters {
        final Counter submitted;
        final Counter retries;
        final EnumMap<JobState, Counter> finished = new EnumMap<>(JobState.class);
        final Timer wait;
        final Timer run;
        final Timer endToEnd;
        final DistributionSummary batchSize;
        final Timer batchRun;

        TaskMeters(String task) {
            submitted = Counter.builder("spillway.jobs.submitted").description("Jobs accepted (committed), by task")
                    .tag("task", task).register(registry);
            retries = Counter.builder("spillway.jobs.retries").description("Attempts that failed and will be retried")
                    .tag("task", task).register(registry);
            for (var state : List.of(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED, JobState.EXPIRED)) {
                finished.put(state, Counter.builder("spillway.jobs.finished").description("Jobs that reached a terminal state")
                        .tags("task", task, "status", state.wireName()).register(registry));
            }
            wait = timer("spillway.job.queue.wait", "Time from due (created or retry time) to start, per attempt", task);
            run = timer("spillway.job.run", "Time from start to recorded outcome, per attempt", task);
            endToEnd = timer("spillway.job.end.to.end", "Time from accept to a terminal state", task);
            batchSize = countHistogram(DistributionSummary.builder("spillway.batch.size")
                    .description("Jobs per handler (model) call").baseUnit("jobs").tag("task", task), 1024)
                    .register(registry);
            batchRun = Timer.builder("spillway.batch.run").description("Handler (model) call latency per batch")
                    .tag("task", task).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .register(registry);
        }
    }

    private TaskMeters task(String task) {
        return tasks.computeIfAbsent(task, TaskMeters::new);
    }

    public Metrics() {
        conformToPrometheusNames(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        queueDepth = MultiGauge.builder("spillway.queue.depth")
                .description("Pending jobs by task and priority, as last sampled")
                .baseUnit("jobs").register(registry);
        taskRunning = MultiGauge.builder("spillway.queue.running")
                .description("Jobs of a task running in any process, as last sampled")
                .baseUnit("jobs").register(registry);
        taskDrainRate = MultiGauge.builder("spillway.queue.drain.rate")
                .description("Jobs of a task that ended per second over the last minute, in any process, as last sampled")
                .register(registry);
        taskTimeToDrain = MultiGauge.builder("spillway.queue.time.to.drain")
                .description("A task's pending jobs divided by its drain rate, as last sampled (absent while jobs wait "
                        + "and none has ended in the last minute); the autoscaling signal")
                .baseUnit("seconds").register(registry);
        Gauge.builder("spillway.queue.processing", lastQueue, q -> q.get().processing())
                .description("Jobs claimed and running in any process, as last sampled").register(registry);
        Gauge.builder("spillway.queue.pending", lastQueue, q -> q.get().pending())
                .description("Pending jobs of all tasks, as last sampled").register(registry);
        Gauge.builder("spillway.queue.oldest.age", lastQueue,
                        q -> q.get().oldestRunnableAge().toMillis() / 1000.0)
                .description("How long the oldest job that could run has waited, as last sampled")
                .baseUnit("seconds").register(registry);
    }

    /**
     * Keeps the exposition clean for {@code promtool check metrics}: Micrometer's CPU time is a
     * counter in nanoseconds ({@code process_cpu_time_ns_total}) and its processor count a gauge
     * ending in {@code _count}, which Prometheus reserves for histograms and summaries. The first is
     * replaced by {@code process_cpu_seconds_total}, the name Prometheus's own clients use; the
     * second is exported as {@code system_cpu_processors}.
     */
    private static void conformToPrometheusNames(MeterRegistry registry) {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.processors") : id;
            }
        });
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the Java virtual machine process").baseUnit("seconds")
                    .register(registry);
        }
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Totals for the dashboard (all tasks): this process's counters since it started, the queue
     * and the store's failed jobs as last sampled, and end-to-end percentiles of the last few
     * seconds.
     */
    public Map<String, Object> snapshot() {
        var out = new LinkedHashMap<String, Object>();
        out.put("submitted", count("spillway.jobs.submitted", null));
        var finished = new LinkedHashMap<String, Object>();
        for (var s : List.of("completed", "failed", "cancelled", "expired")) {
            finished.put(s, count("spillway.jobs.finished", s));
        }
        out.put("finished", finished);
        out.put("retries", count("spillway.jobs.retries", null));
        var q = lastQueue.get();
        out.put("pending", q.pending());
        out.put("processing", q.processing());
        out.put("oldest_pending_age_seconds", q.oldestRunnableAge().toMillis() / 1000.0);
        out.put("store", Map.of("failed", lastFailedInStore.get()));
        double p50 = 0;
        double p99 = 0;
        for (var v : recentEndToEnd.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.5) {
                p50 = v.value(TimeUnit.MILLISECONDS);
            } else if (v.percentile() == 0.99) {
                p99 = v.value(TimeUnit.MILLISECONDS);
            }
        }
        out.put("end_to_end_p50_ms", p50);
        out.put("end_to_end_p99_ms", p99);
        long batches = 0;
        double batched = 0;
        for (var summary : registry.find("spillway.batch.size").summaries()) {
            batches += summary.count();
            batched += summary.totalAmount();
        }
        out.put("batches", batches);
        out.put("batched_jobs", batched);
        return out;
    }

    private double count(String name, String status) {
        var search = registry.find(name);
        if (status != null) {
            search = search.tag("status", status);
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Records a sample of the queue (called every few seconds, not per request). */
    public void sampleQueue(QueueStats stats, List<QueueStats.TaskQueue> tasks) {
        lastQueue.set(stats);
        var depth = new ArrayList<MultiGauge.Row<?>>();
        for (var t : tasks) {
            t.pending().forEach((priority, n) -> {
                if (n > 0) {
                    depth.add(MultiGauge.Row.of(Tags.of("task", t.task(), "priority", priority.wireName()), n));
                }
            });
        }
        queueDepth.register(depth, true);
        taskRunning.register(tasks.stream().map(t -> MultiGauge.Row.of(Tags.of("task", t.task()), t.running())).toList(), true);
        taskDrainRate.register(tasks.stream().map(t -> MultiGauge.Row.of(Tags.of("task", t.task()), t.drainPerSecond()))
                .toList(), true);
        taskTimeToDrain.register(tasks.stream().filter(t -> t.timeToDrainSeconds() != null)
                .map(t -> MultiGauge.Row.of(Tags.of("task", t.task()), t.timeToDrainSeconds())).toList(), true);
    }

    /** Records a sample of the store's failed jobs (all processes), taken with the queue's. */
    public void sampleFailed(long failedInStore) {
        lastFailedInStore.set(failedInStore);
    }

    /** One HTTP request answered. {@code route} is the matched path template, never the raw path. */
    public void httpRequest(String method, String route, int status, long nanos) {
        httpTimers.computeIfAbsent(new HttpKey(method, route, status), k -> Timer.builder("spillway.http.requests")
                        .description("HTTP requests by route and status")
                        .tags("method", k.method(), "route", k.route(), "status", String.valueOf(k.status()))
                        .serviceLevelObjectives(HTTP_BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void accepted(String task, int count) {
        task(task).submitted.increment(count);
    }

    @Override
    public void finished(Job claimed, JobState state, Instant now) {
        var meters = task(claimed.task());
        if (state == JobState.PENDING) {
            meters.retries.increment();
        } else {
            meters.finished.get(state).increment();
        }
        if (claimed.startedAt() != null) {
            meters.wait.record(Duration.between(claimed.runAt(), claimed.startedAt()));
            meters.run.record(Duration.between(claimed.startedAt(), now));
        }
        if (state.isTerminal()) {
            var e2e = Duration.between(claimed.createdAt(), now);
            meters.endToEnd.record(e2e);
            recentEndToEnd.record(e2e);
        }
    }

    @Override
    public void dropped(Job job, JobState state) {
        task(job.task()).finished.get(state).increment();
    }

    @Override
    public void batchRan(String task, int size, long nanos) {
        var meters = task(task);
        meters.batchSize.record(size);
        meters.batchRun.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void committed(String writer, int size, long nanos) {
        commitSizes.computeIfAbsent(writer, w -> countHistogram(DistributionSummary.builder("spillway.store.commit.batch")
                .description("Items per group commit").baseUnit("items").tag("writer", w), 4096)
                .register(registry)).record(size);
        commitTimers.computeIfAbsent(writer, w -> Timer.builder("spillway.store.commit").description("Group commit latency")
                .tag("writer", w).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void leasesExpired(int count) {
        Counter.builder("spillway.leases.expired").description("Claims whose lease expired (worker died or stalled)")
                .register(registry).increment(count);
    }

    @Override
    public void staleOutcome() {
        Counter.builder("spillway.outcomes.discarded").description("Outcomes from claims no longer current")
                .register(registry).increment();
    }

    /**
     * A histogram of counts (jobs, texts, items) with a small fixed set of buckets: the powers of
     * two from 1 to {@code max}, so each label set exports a dozen buckets rather than hundreds.
     */
    static DistributionSummary.Builder countHistogram(DistributionSummary.Builder builder, int max) {
        var buckets = new double[Integer.numberOfTrailingZeros(Integer.highestOneBit(max)) + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = 1L << i;
        }
        return builder.serviceLevelObjectives(buckets).maximumExpectedValue((double) max);
    }

    private Timer timer(String name, String description, String task) {
        return Timer.builder(name).description(description).tag("task", task)
                .serviceLevelObjectives(SLO).minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1)).publishPercentileHistogram()
                .register(registry);
    }
}
