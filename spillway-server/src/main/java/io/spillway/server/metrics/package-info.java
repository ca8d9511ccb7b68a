/**
 * Observability: Prometheus metrics of the engine, the HTTP layer and the models
 * ({@link io.spillway.server.metrics.Metrics}, {@link io.spillway.server.metrics.ModelMetrics},
 * {@link io.spillway.server.metrics.LlmMetrics}) and OpenTelemetry traces carried from submit to
 * worker ({@link io.spillway.server.metrics.Tracing}).
 */
package io.spillway.server.metrics;
