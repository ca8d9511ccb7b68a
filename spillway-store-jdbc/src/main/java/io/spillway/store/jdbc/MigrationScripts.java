package io.spillway.store.jdbc;

import io.spillway.core.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned SQL migration scripts kept as resources beside a store class: {@code migrations/}
 * holds {@code V1__name.sql}, {@code V2__name.sql}, … and {@code index.txt} lists them in order
 * (a resource folder cannot be listed inside a jar). Each store applies them in its own
 * transaction and records the applied version.
 */
public final class MigrationScripts {
    /** One script: its 1-based version, file name, and its statements in order. */
    public record Script(int version, String name, List<String> statements) {
    }

    private MigrationScripts() {
    }

    /**
     * The scripts beside {@code anchor} (resource folder {@code migrations/} in its package).
     *
     * @throws IllegalStateException when the index names a missing script or is out of order
     */
    public static List<Script> load(Class<?> anchor) {
        var scripts = new ArrayList<Script>();
        for (String line : read(anchor, "index.txt").split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int version = scripts.size() + 1;
            if (!line.startsWith("V" + version + "__")) {
                throw new IllegalStateException("migration " + line + " is out of order in index.txt");
            }
            scripts.add(new Script(version, line, statements(read(anchor, line))));
        }
        return scripts;
    }

    /**
     * The scripts not yet applied to the database behind {@code c}, as its {@code schema_version}
     * table records them (created if missing).
     *
     * @throws StoreException when the database is newer than these scripts
     */
    public static List<Script> pending(Connection c, List<Script> scripts) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                    + " script TEXT NOT NULL, applied_at BIGINT NOT NULL)");
            int current;
            try (var rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                rs.next();
                current = rs.getInt(1);
            }
            if (current > scripts.size()) {
                throw new StoreException("the database is at schema version " + current
                        + " but this build knows only up to " + scripts.size() + "; use a newer Spillway");
            }
            return scripts.subList(current, scripts.size());
        }
    }

    /** Runs a script's statements and records it in {@code schema_version}; the caller commits. */
    public static void apply(Connection c, Script script) throws SQLException {
        try (var st = c.createStatement()) {
            for (String sql : script.statements()) {
                st.execute(sql);
            }
        }
        try (var ps = c.prepareStatement("INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
            ps.setInt(1, script.version());
            ps.setString(2, script.name());
            ps.setLong(3, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    /** Splits a script on semicolons at line ends; {@code --} starts a comment. */
    public static List<String> statements(String script) {
        var out = new ArrayList<String>();
        var sb = new StringBuilder();
        for (String line : script.split("\n")) {
            int comment = line.indexOf("--");
            var code = comment >= 0 ? line.substring(0, comment) : line;
            if (code.isBlank()) {
                continue;
            }
            sb.append(code).append('\n');
            if (code.stripTrailing().endsWith(";")) {
                out.add(sb.toString().strip());
                sb.setLength(0);
            }
        }
        if (!sb.toString().isBlank()) {
            out.add(sb.toString().strip());
        }
        return out;
    }

    private static String read(Class<?> anchor, String name) {
        try (InputStream in = anchor.getResourceAsStream("migrations/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + name + " beside " + anchor.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + name, e);
        }
    }
}
