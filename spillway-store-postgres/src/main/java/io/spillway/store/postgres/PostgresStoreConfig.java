package io.spillway.store.postgres;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach PostgreSQL.
 *
 * @param jdbcUrl        {@code jdbc:postgresql://host:port/database}
 * @param user           user name, or null for the driver's default
 * @param password       password, or null
 * @param schema         schema holding Spillway's tables (created if missing)
 * @param poolSize       connections in the pool
 * @param connectTimeout longest wait for a connection; past it an operation fails (the API answers 503)
 */
public record PostgresStoreConfig(String jdbcUrl, String user, String password, String schema, int poolSize,
                                  Duration connectTimeout) {

    public PostgresStoreConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(schema, "schema");
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema must be a lower-case SQL identifier, was '" + schema + "'");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be >= 1");
        }
    }

    /**
     * Parses a libpq-style URL, {@code postgresql://[user[:password]@]host[:port]/database}, or a
     * JDBC URL {@code jdbc:postgresql://…} (user and password then go in its query).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static PostgresStoreConfig parse(String url, String schema, int poolSize) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new PostgresStoreConfig(url, null, null, schema, poolSize, Duration.ofSeconds(3));
        }
        URI uri;
        try {
            uri = URI.create(url.replaceFirst("^postgres://", "postgresql://"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL such as postgresql://user@host:5432/db");
        }
        if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + url + "' is not a URL such as postgresql://user@host:5432/db");
        }
        var database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            var parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
        }
        var jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/" + database
                + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        return new PostgresStoreConfig(jdbc, user, password, schema, poolSize, Duration.ofSeconds(3));
    }

    /** The URL without the password, for logs and errors. */
    public String describe() {
        return server() + " schema " + schema;
    }

    /** The server, database and user, without the password or the schema. */
    public String server() {
        return jdbcUrl.replaceAll("password=[^&]*", "password=***") + (user != null ? " as " + user : "");
    }
}
