/**
 * What a job is and how it may change: {@link io.spillway.core.Job} and
 * {@link io.spillway.core.NewJob}, their {@link io.spillway.core.JobState}s and
 * {@link io.spillway.core.Priority}, the {@link io.spillway.core.Outcome} a handler returns, and
 * {@link io.spillway.core.Lifecycle}, the one place that decides every state change and its error
 * text. No framework and no I/O here; the engine, the store port and the task SPI are in the
 * subpackages.
 */
package io.spillway.core;
