/**
 * What the SQL stores (SQLite, PostgreSQL) share: the {@code jobs} row mapping by column name,
 * the queries both run unchanged, attachments in chunks ({@link io.spillway.store.jdbc.JdbcAttachments}),
 * and the migration script bookkeeping. No store logic and no
 * connections live here; each store keeps its own statements, named alike per dialect.
 */
package io.spillway.store.jdbc;
