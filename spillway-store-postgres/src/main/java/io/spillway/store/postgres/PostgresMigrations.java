package io.spillway.store.postgres;

import io.spillway.core.store.MigrationScripts;
import io.spillway.core.store.StoreException;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Applies the PostgreSQL migrations ({@code migrations/} beside this class) in one transaction
 * that holds a transaction-scoped advisory lock, so processes starting together apply each
 * version once and the others wait, then see it applied.
 */
final class PostgresMigrations {
    private static final long LOCK_KEY = 0x5350494C4C574159L; // "SPILLWAY"

    private PostgresMigrations() {
    }

    static void apply(DataSource pool, String schema) throws SQLException {
        var scripts = MigrationScripts.load(PostgresMigrations.class);
        try (var c = pool.getConnection(); var st = c.createStatement()) {
            try {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                st.execute("SET LOCAL search_path TO " + schema);
                st.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                        + " script text NOT NULL, applied_at bigint NOT NULL)");
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
                    for (String sql : script.statements()) {
                        st.execute(sql);
                    }
                    try (var ps = c.prepareStatement("INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
                        ps.setInt(1, script.version());
                        ps.setString(2, script.name());
                        ps.setLong(3, System.currentTimeMillis());
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
