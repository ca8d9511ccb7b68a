package io.spillway.store.postgres;

import io.spillway.core.store.JobEvents;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN}s on the store's channels on a dedicated connection (outside the pool) and turns
 * notifications into {@link JobEvents.Listener} calls. When the connection breaks it reconnects
 * with a growing pause (up to 5 s) and then reports {@link JobEvents.Listener#reconnected()}.
 */
final class PostgresEvents implements JobEvents {
    private static final Logger log = LoggerFactory.getLogger(PostgresEvents.class);

    private final PostgresStoreConfig config;
    private volatile boolean closed;
    private Thread thread;

    PostgresEvents(PostgresStoreConfig config) {
        this.config = config;
    }

    @Override
    public synchronized void start(Listener listener) {
        if (thread != null) {
            throw new IllegalStateException("events already started");
        }
        thread = Thread.ofPlatform().daemon(true).name("spillway-pg-events").start(() -> run(listener));
    }

    private void run(Listener listener) {
        long pauseMillis = 100;
        boolean first = true;
        while (!closed) {
            try (var c = connect()) {
                try (var st = c.createStatement()) {
                    st.execute("LISTEN " + PostgresJobStore.RUNNABLE_CHANNEL);
                    st.execute("LISTEN " + PostgresJobStore.CHANGED_CHANNEL);
                }
                if (!first) {
                    log.info("listening to PostgreSQL notifications again");
                    listener.reconnected();
                }
                first = false;
                pauseMillis = 100;
                var pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    var notifications = pg.getNotifications(500);
                    if (notifications == null) {
                        continue;
                    }
                    boolean runnable = false;
                    for (var n : notifications) {
                        if (n.getName().equals(PostgresJobStore.RUNNABLE_CHANNEL)) {
                            runnable = true;
                        } else if (!n.getParameter().isEmpty()) {
                            listener.changed(Arrays.asList(n.getParameter().split(",")));
                        }
                    }
                    if (runnable) {
                        listener.runnable();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                if (pauseMillis == 100) {
                    log.warn("PostgreSQL notifications interrupted ({}); reconnecting", e.getMessage());
                } else {
                    log.debug("still reconnecting to PostgreSQL in {} ms: {}", pauseMillis, e.getMessage());
                }
                first = false;
                LockSupport.parkNanos(pauseMillis * 1_000_000);
                pauseMillis = Math.min(5_000, pauseMillis * 2);
            }
        }
    }

    private Connection connect() throws SQLException {
        var props = new Properties();
        if (config.user() != null) {
            props.setProperty("user", config.user());
        }
        if (config.password() != null) {
            props.setProperty("password", config.password());
        }
        props.setProperty("connectTimeout", String.valueOf(Math.max(1, config.connectTimeout().toSeconds())));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("ApplicationName", "spillway-events");
        var c = DriverManager.getConnection(config.jdbcUrl(), props);
        c.setAutoCommit(true);
        return c;
    }

    @Override
    public void close() {
        closed = true;
        var t = thread;
        if (t != null) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
