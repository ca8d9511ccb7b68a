package io.spillway.store.sqlite;

import io.spillway.store.jdbc.MigrationScripts;
import io.spillway.store.jdbc.SchemaMigration;
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

    static SchemaMigration apply(Connection c) throws SQLException {
        var scripts = MigrationScripts.load(Migrations.class);
        var pending = MigrationScripts.pending(c, scripts);
        for (var script : pending) {
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
        return new SchemaMigration(scripts.size() - pending.size(), scripts.size());
    }
}
