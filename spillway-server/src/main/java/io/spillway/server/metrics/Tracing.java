package io.spillway.server.metrics;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.engine.EngineListener;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Traces with OpenTelemetry, when configured the standard way ({@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_TRACES_EXPORTER}, … or the matching {@code otel.*} system properties): a server span
 * for each accepted job, child of the client's {@code traceparent}, and a span for each attempt the
 * worker ran, child of the accept span (the job carries its trace context through the store, so
 * this works across processes). Not configured, it creates nothing and only passes the client's
 * {@code traceparent} on. Thread-safe.
 */
public final class Tracing implements EngineListener, AutoCloseable {
    private static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("spillway.job_id");
    private static final AttributeKey<String> TASK = AttributeKey.stringKey("spillway.task");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("spillway.attempt");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("spillway.outcome");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;

    private Tracing(OpenTelemetrySdk sdk) {
        this.sdk = sdk;
        this.tracer = sdk == null ? OpenTelemetry.noop().getTracer("spillway") : sdk.getTracer("spillway");
    }

    /** Tracing as the environment and system properties configure it; off when they say nothing. */
    public static Tracing fromEnvironment() {
        var env = System.getenv();
        boolean configured = env.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || env.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                || (env.containsKey("OTEL_TRACES_EXPORTER") && !"none".equals(env.get("OTEL_TRACES_EXPORTER")))
                || System.getProperty("otel.exporter.otlp.endpoint") != null
                || (System.getProperty("otel.traces.exporter") != null && !"none".equals(System.getProperty("otel.traces.exporter")));
        if (!configured) {
            return new Tracing(null);
        }
        var sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.service.name", "spillway",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                .disableShutdownHook()
                .build().getOpenTelemetrySdk();
        return new Tracing(sdk);
    }

    public boolean enabled() {
        return sdk != null;
    }

    /** A span for one accepted request; {@link Accept#traceparent()} is what the job carries on. */
    public Accept startAccept(String route, String incomingTraceparent) {
        if (sdk == null) {
            return new Accept(null, incomingTraceparent);
        }
        var carrier = new HashMap<String, String>();
        if (incomingTraceparent != null) {
            carrier.put("traceparent", incomingTraceparent);
        }
        var parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), carrier, MAP_GETTER);
        var span = tracer.spanBuilder("POST " + route).setSpanKind(SpanKind.SERVER).setParent(parent).startSpan();
        return new Accept(span, format(span));
    }

    /** An accept span in progress. */
    public static final class Accept {
        private final Span span;
        private final String traceparent;

        private Accept(Span span, String traceparent) {
            this.span = span;
            this.traceparent = traceparent;
        }

        /** The trace context to store with the job: this span's, or the client's when tracing is off. */
        public String traceparent() {
            return traceparent;
        }

        /** Ends the span with the answer's status and, when accepted, the job's id and task. */
        public void end(int status, Job job) {
            if (span == null) {
                return;
            }
            span.setAttribute(STATUS, (long) status);
            if (job != null) {
                span.setAttribute(JOB_ID, job.id());
                span.setAttribute(TASK, job.task());
            }
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
    }

    @Override
    public void finished(Job claimed, JobState state, Instant now) {
        if (sdk == null || claimed.startedAt() == null) {
            return;
        }
        var builder = tracer.spanBuilder("run " + claimed.task()).setSpanKind(SpanKind.CONSUMER)
                .setStartTimestamp(claimed.startedAt().toEpochMilli(), TimeUnit.MILLISECONDS);
        if (claimed.traceparent() != null) {
            builder.setParent(W3CTraceContextPropagator.getInstance()
                    .extract(Context.root(), Map.of("traceparent", claimed.traceparent()), MAP_GETTER));
        } else {
            builder.setNoParent();
        }
        var span = builder.startSpan();
        span.setAttribute(JOB_ID, claimed.id());
        span.setAttribute(TASK, claimed.task());
        span.setAttribute(ATTEMPT, (long) claimed.attempt());
        span.setAttribute(OUTCOME, state == JobState.PENDING ? "retry" : state.wireName());
        if (state == JobState.FAILED) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end(now.toEpochMilli(), TimeUnit.MILLISECONDS);
    }

    private static String format(Span span) {
        var c = span.getSpanContext();
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }

    /** Flushes and stops the exporter. */
    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(5, TimeUnit.SECONDS);
        }
    }
}
