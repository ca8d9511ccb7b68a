/**
 * The embedded SQLite store of {@code spillway serve}: one write connection (SQLite has one
 * writer), a pool of readers beside it in WAL mode, versioned migrations, and the
 * {@link io.spillway.store.sqlite.Durability} a commit waits for.
 */
package io.spillway.store.sqlite;
