package io.spillway.server.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spillway.onnx.BatchObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What the in-process model runners do: batch sizes, padding, queue time and call latency per model. */
public final class ModelMetrics implements BatchObserver {
    private final MeterRegistry registry;
    private final Map<String, Meters> models = new ConcurrentHashMap<>();

    private final class Meters {
        final DistributionSummary batchSize;
        final DistributionSummary padded;
        final Timer run;
        final Timer queued;
        final AtomicInteger waiting = new AtomicInteger();

        Meters(String model) {
            batchSize = Metrics.countHistogram(DistributionSummary.builder("spillway.model.batch.size")
                    .description("Texts per model call").baseUnit("texts").tag("model", model), 1024).register(registry);
            padded = DistributionSummary.builder("spillway.model.batch.tokens")
                    .description("Tokens per text in a model call after padding to the longest").baseUnit("tokens")
                    .tag("model", model).register(registry);
            run = Timer.builder("spillway.model.run").description("Model call latency").tag("model", model)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).register(registry);
            queued = Timer.builder("spillway.model.queue.wait")
                    .description("Time a text waited for a model runner").tag("model", model)
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).register(registry);
            Gauge.builder("spillway.model.waiting", waiting, AtomicInteger::get)
                    .description("Texts queued for the model, as last seen by a runner").tag("model", model)
                    .register(registry);
        }
    }

    public ModelMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private Meters meters(String model) {
        return models.computeIfAbsent(model, Meters::new);
    }

    @Override
    public void batchRan(String model, int size, int paddedLength, long runNanos) {
        var m = meters(model);
        m.batchSize.record(size);
        m.padded.record(paddedLength);
        m.run.record(runNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queued(String model, long waitNanos) {
        meters(model).queued.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void waiting(String model, int texts) {
        meters(model).waiting.set(texts);
    }
}
