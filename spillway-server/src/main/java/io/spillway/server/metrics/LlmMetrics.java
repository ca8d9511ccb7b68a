package io.spillway.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.spillway.llm.LlmObserver;
import io.spillway.llm.RemoteModel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Remote model calls: outcomes, latency, tokens and cost, by model. */
public final class LlmMetrics implements LlmObserver {
    private final MeterRegistry registry;
    private final Map<String, Counter> calls = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public LlmMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Reports the model's call limit now (it falls after 429s and climbs back). */
    public void watch(RemoteModel model) {
        Gauge.builder("spillway.llm.concurrency.limit", model, RemoteModel::concurrencyLimit)
                .description("Calls a remote text model takes at once from this process now (at most its max_concurrency)")
                .tag("model", model.spec().name()).register(registry);
    }

    @Override
    public void called(String model, String outcome, long nanos) {
        calls.computeIfAbsent(model + '\u0000' + outcome, k -> Counter.builder("spillway.llm.calls")
                .description("Calls to remote text models by outcome").tags("model", model, "outcome", outcome)
                .register(registry)).increment();
        if (!outcome.equals("circuit_open")) {
            latency.computeIfAbsent(model, m -> Timer.builder("spillway.llm.call").description("Remote model call latency")
                    .tag("model", m).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                    .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void used(String model, long inputTokens, long outputTokens, double cost) {
        counter("spillway.llm.tokens", "Tokens sent to and received from remote models", model, "input").increment(inputTokens);
        counter("spillway.llm.tokens", "Tokens sent to and received from remote models", model, "output").increment(outputTokens);
        counter("spillway.llm.cost", "Cost of remote model calls, in the configured prices' currency", model, null)
                .increment(cost);
    }

    private Counter counter(String name, String description, String model, String direction) {
        return counters.computeIfAbsent(name + '\u0000' + model + '\u0000' + direction, k -> {
            var b = Counter.builder(name).description(description).tag("model", model);
            if (direction != null) {
                b.tag("direction", direction);
            }
            return b.register(registry);
        });
    }
}
