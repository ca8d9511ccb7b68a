/**
 * For applications on the same PostgreSQL: {@link io.spillway.client.JdbcJobInserter} enqueues a
 * job inside the caller's own transaction, so the job exists exactly when the caller's change
 * commits.
 */
package io.spillway.client;
