package io.spillway.store.sqlite;

import io.spillway.core.store.MigrationScripts;
import io.spillway.core.store.StoreException;
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
        var scripts = MigrationScripts.load(Migrations.class);
        try (var st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, script TEXT NOT NULL, applied_at INTEGER NOT NULL)");
            int current;
            try (var rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                rs.next();
                current = rs.getInt(1);
            }
            if (current > scripts.size()) {
                throw new StoreException("the database is at schema version " + current
                        + " but this build knows only up to " + scripts.size() + "; use a newer Spillway");
            }
            for (var script : scripts.subList(current, scripts.size())) {
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                    for (String sql : script.statements()) {
                        st.execute(sql);
                    }
                    try (var ps = c.prepareStatement("INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
                        ps.setInt(1, script.version());
                        ps.setString(2, script.name());
                        ps.setLong(3, System.currentTimeMillis());
                        ps.executeUpdate();
                    }
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
}
