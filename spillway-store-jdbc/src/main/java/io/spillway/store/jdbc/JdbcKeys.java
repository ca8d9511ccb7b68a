package io.spillway.store.jdbc;

import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.KeyScope;
import io.spillway.core.store.StoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code api_keys} table both SQL stores share (the same columns in each one's migrations):
 * a row per key with its hash, never the key. Stateless; each store runs these in its own
 * transactions.
 */
public final class JdbcKeys {
    private static final String COLUMNS = "id, tenant, name, scopes, hash, created_at, expires_at, revoked_at, rate_per_second";

    private JdbcKeys() {
    }

    public static void insert(Connection c, ApiKey key) throws SQLException {
        if (get(c, key.id()).isPresent()) {
            throw new StoreException("a key with the id " + key.id() + " exists");
        }
        try (var ps = c.prepareStatement("INSERT INTO api_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, key.id());
            ps.setString(2, key.tenant());
            ps.setString(3, key.name());
            ps.setString(4, KeyScope.format(key.scopes()));
            ps.setString(5, key.hash());
            ps.setLong(6, key.createdAt().toEpochMilli());
            JdbcJobRows.setMillis(ps, 7, key.expiresAt());
            JdbcJobRows.setMillis(ps, 8, key.revokedAt());
            ps.setDouble(9, key.ratePerSecond());
            ps.executeUpdate();
        }
    }

    public static Optional<ApiKey> get(Connection c, String id) throws SQLException {
        try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?")) {
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(key(rs)) : Optional.empty();
            }
        }
    }

    public static List<ApiKey> list(Connection c) throws SQLException {
        var out = new ArrayList<ApiKey>();
        try (var st = c.createStatement();
             var rs = st.executeQuery("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id")) {
            while (rs.next()) {
                out.add(key(rs));
            }
        }
        return out;
    }

    public static boolean revoke(Connection c, String id, Instant at) throws SQLException {
        try (var ps = c.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setLong(1, at.toEpochMilli());
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    public static boolean exists(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT 1 FROM api_keys LIMIT 1")) {
            return rs.next();
        }
    }

    private static ApiKey key(ResultSet rs) throws SQLException {
        return new ApiKey(rs.getString("id"), rs.getString("tenant"), rs.getString("name"),
                KeyScope.parseList(rs.getString("scopes")), rs.getString("hash"), JdbcJobRows.millis(rs, "created_at"),
                JdbcJobRows.millis(rs, "expires_at"), JdbcJobRows.millis(rs, "revoked_at"), rs.getDouble("rate_per_second"));
    }

    /**
     * Takes up to {@code want} tokens from the key's row of {@code rate_buckets} (made full the
     * first time), locked for the transaction and refilled to {@code now}; returns how many it gave.
     * For a store whose dialect has {@code FOR UPDATE} and {@code greatest} (PostgreSQL).
     */
    public static int rateTake(Connection c, String keyId, double ratePerSecond, double capacity, int want, Instant now)
            throws SQLException {
        long at = now.toEpochMilli();
        try (var ps = c.prepareStatement("INSERT INTO rate_buckets (key_id, tokens, updated_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (key_id) DO NOTHING")) {
            ps.setString(1, keyId);
            ps.setDouble(2, capacity);
            ps.setLong(3, at);
            ps.executeUpdate();
        }
        double tokens;
        try (var ps = c.prepareStatement("SELECT tokens, updated_at FROM rate_buckets WHERE key_id = ? FOR UPDATE")) {
            ps.setString(1, keyId);
            try (var rs = ps.executeQuery()) {
                rs.next();
                tokens = Math.min(capacity, rs.getDouble(1) + Math.max(0, at - rs.getLong(2)) * ratePerSecond / 1000.0);
            }
        }
        int given = (int) Math.min(want, Math.floor(tokens));
        try (var ps = c.prepareStatement("UPDATE rate_buckets SET tokens = ?, updated_at = greatest(updated_at, ?) WHERE key_id = ?")) {
            ps.setDouble(1, tokens - given);
            ps.setLong(2, at);
            ps.setString(3, keyId);
            ps.executeUpdate();
        }
        return given;
    }
}
