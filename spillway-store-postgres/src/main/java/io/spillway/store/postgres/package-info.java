/**
 * The PostgreSQL store, shared by many gateways and workers: {@link io.spillway.store.postgres.PostgresJobStore}
 * (claims with {@code FOR UPDATE SKIP LOCKED}, the database's clock), wake-ups over LISTEN/NOTIFY
 * ({@link io.spillway.store.postgres.PostgresEvents}) and migrations under an advisory lock.
 */
package io.spillway.store.postgres;
