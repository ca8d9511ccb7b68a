package io.spillway.store.postgres;

import java.sql.DriverManager;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL the tests use: {@code SPILLWAY_TEST_PG_URL} or the local server
 * (postgresql://postgres@127.0.0.1:5432/postgres). Each test gets its own schema, dropped after.
 */
public final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabase() {
    }

    public static String url() {
        var env = System.getenv("SPILLWAY_TEST_PG_URL");
        return env != null && !env.isBlank() ? env : "postgresql://postgres@127.0.0.1:5432/postgres";
    }

    /** A fresh, unique schema name. */
    public static String newSchema() {
        return "t_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 1_000_000_000L + "_" + COUNTER.incrementAndGet();
    }

    public static PostgresStoreConfig config(String schema) {
        return PostgresStoreConfig.parse(url(), schema, 4);
    }

    public static void dropSchema(String schema) {
        var cfg = config(schema);
        var props = new Properties();
        if (cfg.user() != null) {
            props.setProperty("user", cfg.user());
        }
        if (cfg.password() != null) {
            props.setProperty("password", cfg.password());
        }
        try (var c = DriverManager.getConnection(cfg.jdbcUrl(), props); var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (Exception e) {
            // best effort
        }
    }
}
