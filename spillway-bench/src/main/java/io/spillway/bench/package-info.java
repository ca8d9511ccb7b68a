/**
 * Benchmarks behind {@code bench/RESULTS.md}, run by {@code spillway bench}: the HTTP load
 * generator ({@link io.spillway.bench.LoadGenerator}, open or closed loop, HdrHistogram), the
 * engine alone on SQLite ({@link io.spillway.bench.EngineBenchmark}), a model alone
 * ({@link io.spillway.bench.EmbedBenchmark}) and uploads through the document pipeline
 * ({@link io.spillway.bench.DocumentBenchmark}).
 */
package io.spillway.bench;
