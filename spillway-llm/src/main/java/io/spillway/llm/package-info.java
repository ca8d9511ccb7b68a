/**
 * Remote text models: their definitions ({@link io.spillway.llm.LlmRepository},
 * {@link io.spillway.llm.LlmSpec}), a model behind its concurrency limit, retries and circuit
 * breaker ({@link io.spillway.llm.RemoteModel}, {@link io.spillway.llm.CircuitBreaker}), providers
 * found by {@code ServiceLoader} ({@link io.spillway.llm.ChatModelProvider}), and the
 * {@code generate} task that routes a job to a model ({@link io.spillway.llm.GenerateTask}).
 */
package io.spillway.llm;
