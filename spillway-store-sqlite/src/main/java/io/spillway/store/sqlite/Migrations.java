package io.spillway.store.sqlite;

import io.spillway.core.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations, applied in order at open. The scripts live beside this class
 * under {@code migrations/}, listed in {@code migrations/index.txt}; applied versions are kept in
 * {@code schema_version}. A database newer than this build is refused.
 */
final class Migrations {
    private Migrations() {
    }

    static void apply(Connection c) throws SQLException {
        var scripts = scripts();
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
            for (int v = current + 1; v <= scripts.size(); v++) {
                var name = scripts.get(v - 1);
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                    for (String sql : statements(read(name))) {
                        st.execute(sql);
                    }
                    try (var ps = c.prepareStatement("INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
                        ps.setInt(1, v);
                        ps.setString(2, name);
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

    private static List<String> scripts() {
        var names = new ArrayList<String>();
        for (String line : read("index.txt").split("\n")) {
            line = line.strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                if (!line.startsWith("V" + (names.size() + 1) + "__")) {
                    throw new IllegalStateException("migration " + line + " is out of order in index.txt");
                }
                names.add(line);
            }
        }
        return names;
    }

    /** Splits a script on semicolons at line ends; comments start with {@code --}. */
    static List<String> statements(String script) {
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

    private static String read(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + name, e);
        }
    }
}
