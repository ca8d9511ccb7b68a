/**
 * The store port: {@link io.spillway.core.store.JobStore}, the params records its methods take,
 * the fenced {@link io.spillway.core.store.StateChange}s it applies, and attachments (bytes kept
 * with a job). {@link io.spillway.core.store.InMemoryJobStore} implements it for the engine's tests
 * and for queues that need not survive the process; the SQL stores live in their own modules.
 */
package io.spillway.core.store;
