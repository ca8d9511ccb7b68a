package io.spillway.client;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Enqueues Spillway jobs through a JDBC connection to the PostgreSQL database Spillway uses,
 * inside the caller's transaction: the job exists if and only if that transaction commits, and
 * workers are woken at the commit. Use it where an application writes its own rows and must not
 * lose (or invent) the job that goes with them.
 *
 * <pre>{@code
 * var inserter = new JdbcJobInserter("spillway");
 * try (var c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     insertOrder(c, order);
 *     String jobId = inserter.insert(c, JdbcJobInserter.job("echo", "{\"order\": 42}"));
 *     c.commit();                   // the job and the order exist together, or neither does
 * }
 * }</pre>
 *
 * <p>The task is not checked here (the server checks tasks at its door); a job of a task no
 * worker runs fails with a clear error when claimed. The tables must exist (start a Spillway
 * process once, or run {@code spillway migrate}). Thread-safe; it holds no connection.
 */
public final class JdbcJobInserter {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static long lastMillis;
    private static int counter;

    private final String schema;

    /** @param schema the schema Spillway's tables are in (its {@code store_schema} setting) */
    public JdbcJobInserter(String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema must be a lower-case SQL identifier, was '" + schema + "'");
        }
        this.schema = schema;
    }

    /**
     * A job to insert.
     *
     * @param task        the task name, e.g. {@code echo}
     * @param inputJson   the task's input, a JSON object as text
     * @param priority    {@code interactive}, {@code standard} or {@code batch}
     * @param maxAttempts attempts before the job fails, 1 to 100
     * @param deadline    the job expires if not started by then; null for none
     * @param metadataJson a JSON object returned with the job, or null
     * @param tenant      the tenant; {@code default} while the server has no keys
     */
    public record Job(String task, String inputJson, String priority, int maxAttempts, Instant deadline,
                      String metadataJson, String tenant) {
        public Job {
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(inputJson, "inputJson");
            Objects.requireNonNull(tenant, "tenant");
            if (!inputJson.strip().startsWith("{")) {
                throw new IllegalArgumentException("inputJson must be a JSON object");
            }
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be from 1 to 100");
            }
            rank(priority);
        }

        public Job withPriority(String p) {
            return new Job(task, inputJson, p, maxAttempts, deadline, metadataJson, tenant);
        }

        public Job withMaxAttempts(int n) {
            return new Job(task, inputJson, priority, n, deadline, metadataJson, tenant);
        }

        public Job withDeadline(Instant d) {
            return new Job(task, inputJson, priority, maxAttempts, d, metadataJson, tenant);
        }

        public Job withMetadata(String json) {
            return new Job(task, inputJson, priority, maxAttempts, deadline, json, tenant);
        }
    }

    /** A standard-priority job with 3 attempts, no deadline, for the default tenant. */
    public static Job job(String task, String inputJson) {
        return new Job(task, inputJson, "standard", 3, null, null, "default");
    }

    /**
     * Inserts the job in the connection's current transaction and returns its id; nothing is
     * visible to Spillway until the caller commits.
     *
     * @throws SQLException from the database (the caller's transaction is then usually aborted)
     */
    public String insert(Connection c, Job job) throws SQLException {
        var id = newId();
        long now = System.currentTimeMillis();
        try (var ps = c.prepareStatement("INSERT INTO " + schema + ".jobs (id, tenant, task, state, priority, input,"
                + " metadata, attempt, max_attempts, created_at, run_at, deadline, queue_key)"
                + " VALUES (?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?, ?, ?, " + queueKey() + ")")) {
            ps.setObject(1, id);
            ps.setString(2, job.tenant());
            ps.setString(3, job.task());
            ps.setInt(4, rank(job.priority()));
            ps.setString(5, job.inputJson());
            ps.setString(6, job.metadataJson());
            ps.setInt(7, job.maxAttempts());
            ps.setLong(8, now);
            ps.setLong(9, now);
            if (job.deadline() == null) {
                ps.setNull(10, Types.BIGINT);
            } else {
                ps.setLong(10, job.deadline().toEpochMilli());
            }
            int rank = rank(job.priority());
            ps.setString(11, job.task());
            ps.setInt(12, rank);
            ps.setLong(13, now * 1000 + rank * 60_000_000L);
            ps.executeUpdate();
        }
        try (var ps = c.prepareStatement("SELECT pg_notify('spillway_runnable', '')")) {
            ps.execute(); // delivered at commit, dropped on rollback
        }
        return id.toString();
    }

    /**
     * The job's place in its task's queue: where the server's scheduler keys a job of a tenant
     * with nothing queued (the front it publishes for the task and priority), or, before any
     * server has published one, the time in microseconds plus a minute per class below
     * interactive. Parameters: task, priority, the default.
     */
    private String queueKey() {
        return "coalesce((SELECT front_key FROM " + schema + ".queue_fronts WHERE task = ? AND priority = ?), ?)";
    }

    private static int rank(String priority) {
        return switch (Objects.requireNonNull(priority, "priority")) {
            case "interactive" -> 0;
            case "standard" -> 1;
            case "batch" -> 2;
            default -> throw new IllegalArgumentException("priority must be interactive, standard or batch, was '" + priority + "'");
        };
    }

    /** A UUIDv7 (time-ordered), as the server makes them, so listings keep creation order. */
    private static UUID newId() {
        long millis;
        int seq;
        synchronized (JdbcJobInserter.class) {
            millis = Math.max(System.currentTimeMillis(), lastMillis);
            counter = millis == lastMillis ? counter + 1 : 0;
            if (counter > 0xFFF) {
                millis++;
                counter = 0;
            }
            lastMillis = millis;
            seq = counter;
        }
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID((millis << 16) | 0x7000L | seq, lsb);
    }
}
