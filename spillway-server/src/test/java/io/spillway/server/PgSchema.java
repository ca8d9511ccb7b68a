package io.spillway.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A schema of its own on the test PostgreSQL ({@code SPILLWAY_TEST_PG_HOST}:{@code _PORT}, default
 * 127.0.0.1:5432, user postgres, database postgres), dropped on close.
 */
public final class PgSchema implements AutoCloseable {
    public final String name = "t_srv_" + ProcessHandle.current().pid() + "_" + (System.nanoTime() % 1_000_000_000L);

    public static String host() {
        return System.getenv().getOrDefault("SPILLWAY_TEST_PG_HOST", "127.0.0.1");
    }

    public static int port() {
        return Integer.parseInt(System.getenv().getOrDefault("SPILLWAY_TEST_PG_PORT", "5432"));
    }

    /** The store URL through {@code host:port} (a proxy, say). */
    public static String url(String host, int port) {
        return "postgresql://postgres@" + host + ":" + port + "/postgres";
    }

    public String url() {
        return url(host(), port());
    }

    public Connection connect() throws SQLException {
        var c = DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/postgres?user=postgres");
        c.createStatement().execute("SET search_path TO " + name);
        return c;
    }

    @Override
    public void close() {
        try (var c = DriverManager.getConnection("jdbc:postgresql://" + host() + ":" + port() + "/postgres?user=postgres");
             var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
        } catch (SQLException e) {
            // best effort
        }
    }
}
