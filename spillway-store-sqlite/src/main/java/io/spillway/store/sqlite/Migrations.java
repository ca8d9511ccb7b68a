package io.spillway.store.sqlite;

import io.spillway.store.jdbc.MigrationScripts;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Applies the SQLite migrations ({@code migrations/} beside this class) in order at open, each
 * in its own transaction, recording applied versions in {@code schema_version}. A database newer
 * than this build is refused. The store's file lock makes this single-process.
 */
final class Migrations {
    private Migrations() {
    }

    static void apply(Connection c) throws SQLException {
        for (var script : MigrationScripts.pending(c, MigrationScripts.load(Migrations.class))) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                MigrationScripts.apply(c, script);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }
}
