package io.spillway.store.sqlite;

import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.KeyStore;
import io.spillway.core.store.StoreException;
import io.spillway.store.jdbc.JdbcKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * The keys of a SQLite store that a running server holds ({@link StoreInUseException}): what
 * {@code spillway keys} uses then. Keys are rows of their own, never touched by leases or claims,
 * so a second connection may change them beside the server (SQLite serializes the writes; WAL
 * lets the server read meanwhile), and the server sees them at its next look. It does not migrate:
 * the running server did.
 */
public final class SqliteKeyStore implements KeyStore, AutoCloseable {
    private final Connection connection;
    private final Path file;

    private SqliteKeyStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /**
     * Opens the keys of the store in {@code file}, which must exist with API keys in its schema.
     *
     * @throws StoreException when it does not
     */
    public static SqliteKeyStore open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new StoreException("no store at " + file);
        }
        try {
            var config = new SQLiteConfig();
            config.setBusyTimeout(10_000);
            var c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (var st = c.createStatement();
                 var rs = st.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'")) {
                if (!rs.next()) {
                    c.close();
                    throw new StoreException("the store " + file + " has no API keys yet: the server using it is older; "
                            + "stop it and run this again (or start this version, which upgrades the store)");
                }
            }
            return new SqliteKeyStore(file, c);
        } catch (SQLException e) {
            throw new StoreException("cannot open the SQLite store " + file + ": " + e.getMessage(), e);
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private synchronized <T> T run(String what, Work<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException(what + " failed in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void keyInsert(ApiKey key) {
        run("inserting a key", c -> {
            JdbcKeys.insert(c, key);
            return null;
        });
    }

    @Override
    public Optional<ApiKey> keyGet(String id) {
        return run("reading a key", c -> JdbcKeys.get(c, id));
    }

    @Override
    public List<ApiKey> keyList() {
        return run("listing keys", JdbcKeys::list);
    }

    @Override
    public boolean keyRevoke(String id, Instant at) {
        return run("revoking a key", c -> JdbcKeys.revoke(c, id, at));
    }

    @Override
    public boolean keyExists() {
        return run("looking for keys", JdbcKeys::exists);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing is pending: every change committed as it was made
        }
    }
}
