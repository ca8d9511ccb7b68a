/**
 * The job engine: the accepter that commits submitted jobs in groups ({@link io.spillway.core.engine.BatchWriter}),
 * the {@link io.spillway.core.engine.Dispatcher} that claims runnable jobs and runs them on task
 * handlers, the completer that records outcomes, long-poll waiters, and maintenance (lease renewal,
 * rescue of expired leases, expiry, retention). {@link io.spillway.core.engine.Engine} is the
 * facade; it waits only through a {@link io.spillway.core.engine.Scheduler}, so tests drive its
 * time by hand.
 */
package io.spillway.core.engine;
