package io.spillway.store.postgres;

import io.spillway.store.jdbc.MigrationScripts;
import io.spillway.store.jdbc.SchemaMigration;
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

    static SchemaMigration apply(DataSource pool, String schema) throws SQLException {
        var scripts = MigrationScripts.load(PostgresMigrations.class);
        try (var c = pool.getConnection(); var st = c.createStatement()) {
            try {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                st.execute("SET LOCAL search_path TO " + schema);
                var pending = MigrationScripts.pending(c, scripts);
                for (var script : pending) {
                    MigrationScripts.apply(c, script);
                }
                c.commit();
                return new SchemaMigration(scripts.size() - pending.size(), scripts.size());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
