package io.spillway.store.jdbc;

import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.NewJob;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.FieldsReplacement;
import io.spillway.core.store.InsertLimits;
import io.spillway.core.store.JobPage;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.ListParams;
import io.spillway.core.store.QueueStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The row shape the SQL stores share: one {@code jobs} table, times as epoch milliseconds.
 * Stateless; each store keeps its own SQL and connections.
 */
public final class JdbcJobRows {
    /**
     * The query of one job by id ({@code idParameter}: {@code ?}, or {@code ?::uuid} where ids
     * are typed) and, unless {@code tenant} is {@link JobStore#ANY_TENANT}, tenant: bind the id
     * first, then the tenant.
     */
    public static String getSql(String tenant, String idParameter) {
        return "SELECT " + COLUMNS + " FROM jobs WHERE id = " + idParameter
                + (tenant.equals(JobStore.ANY_TENANT) ? "" : " AND tenant = ?");
    }

    /**
     * What {@link InsertLimits} counts, on a connection in the insert's transaction; {@code lock},
     * when not null, is run with the tenant before it is counted (PostgreSQL's lock per tenant, so
     * two processes inserting for one tenant count one after the other).
     */
    public static InsertLimits.Counts<SQLException> limitCounts(Connection c, String lock) {
        return new InsertLimits.Counts<>() {
            @Override
            public void lock(String tenant) throws SQLException {
                if (lock != null) {
                    try (var ps = c.prepareStatement(lock)) {
                        ps.setString(1, tenant);
                        ps.execute();
                    }
                }
            }

            @Override
            public long pending(String tenant) throws SQLException {
                // the literal state predicate lets the planner scan the partial index of pending jobs
                try (var ps = c.prepareStatement("SELECT count(*) FROM jobs WHERE state = 'pending' AND tenant = ?")) {
                    ps.setString(1, tenant);
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            }

            @Override
            public long budgetUsed(String tenant, LocalDate since) throws SQLException {
                return JdbcUsage.budgetUsed(c, tenant, since);
            }

            @Override
            public boolean holdsKey(String tenant, String idempotencyKey) throws SQLException {
                try (var ps = c.prepareStatement("SELECT 1 FROM jobs WHERE tenant = ? AND idempotency_key = ?")) {
                    ps.setString(1, tenant);
                    ps.setString(2, idempotencyKey);
                    try (var rs = ps.executeQuery()) {
                        return rs.next();
                    }
                }
            }
        };
    }

    /**
     * Runs {@link io.spillway.core.store.JobStore#jobFieldsReplace} with {@code update}, the store's
     * {@code UPDATE jobs SET input = ?, metadata = ?, result = ?, error = ? WHERE id = <id> AND input = ?
     * AND <metadata, result, error each null-safely equal to ?>}; binds ids as {@code id} makes them.
     */
    public static int replaceFields(Connection c, String update, List<FieldsReplacement> replacements,
                                    Function<String, Object> id) throws SQLException {
        int n = 0;
        try (var ps = c.prepareStatement(update)) {
            for (var r : replacements) {
                var a = r.after();
                var b = r.before();
                ps.setString(1, a.input());
                ps.setString(2, a.metadata());
                ps.setString(3, a.result());
                ps.setString(4, a.error());
                ps.setObject(5, id.apply(r.id()));
                ps.setString(6, b.input());
                ps.setString(7, b.metadata());
                ps.setString(8, b.result());
                ps.setString(9, b.error());
                n += ps.executeUpdate();
            }
        }
        return n;
    }

    /** Every column of a job, as {@link #job(ResultSet)} reads them (by name). */
    public static final String COLUMNS = "id, tenant, task, state, priority, input, metadata, attempt, max_attempts,"
            + " created_at, run_at, deadline, lease_until, started_at, finished_at, result, error,"
            + " idempotency_key, request_hash, traceparent";

    /** What a claim returns: what a handler needs, as {@link #claimed} reads them (by name). */
    public static final String CLAIMED_COLUMNS = "id, tenant, task, priority, input, metadata, attempt, max_attempts,"
            + " created_at, run_at, deadline, error, traceparent, queue_key";

    /**
     * The ids a claim of one task takes while each tenant is held to a number of processing jobs:
     * the task's claimable jobs ranked per tenant by queue key, after the tenant's processing jobs
     * (every task), kept while that count stays within the cap, in key order. A scan of the task's
     * pending jobs. Parameters: now, now, task, cap, limit (as {@link #claim} sets them).
     */
    public static final String CAPPED_CLAIM_IDS = "SELECT id FROM (SELECT p.id, p.queue_key,"
            + " row_number() OVER (PARTITION BY p.tenant ORDER BY p.queue_key) + coalesce(r.n, 0) AS nth"
            + " FROM jobs p LEFT JOIN (SELECT tenant, count(*) AS n FROM jobs WHERE state = 'processing' GROUP BY tenant) r"
            + "   ON r.tenant = p.tenant"
            + " WHERE p.state = 'pending' AND p.run_at <= ? AND (p.deadline IS NULL OR p.deadline > ?)"
            + "   AND p.attempt < p.max_attempts AND p.task = ?) ranked"
            + " WHERE nth <= ? ORDER BY queue_key LIMIT ?";

    /** Failed jobs, all tenants: the literal predicate lets the planner count the partial index jobs_failed. */
    public static final String COUNT_FAILED = "SELECT count(*) FROM jobs WHERE state = 'failed'";

    private JdbcJobRows() {
    }

    /** A row of {@link #COLUMNS}. */
    public static Job job(ResultSet rs) throws SQLException {
        return new Job(rs.getString("id"), rs.getString("tenant"), rs.getString("task"),
                JobState.fromWire(rs.getString("state")), Priority.fromRank(rs.getInt("priority")),
                JobInput.ofJson(rs.getString("input")), rs.getString("metadata"), rs.getInt("attempt"), rs.getInt("max_attempts"),
                millis(rs, "created_at"), millis(rs, "run_at"), millis(rs, "deadline"), millis(rs, "lease_until"),
                millis(rs, "started_at"), millis(rs, "finished_at"), rs.getString("result"), rs.getString("error"),
                rs.getString("idempotency_key"), rs.getString("request_hash"), rs.getString("traceparent"));
    }

    /** A row of {@link #CLAIMED_COLUMNS}, now processing under the given lease. */
    public static Job claimed(ResultSet rs, Instant leaseUntil, Instant startedAt) throws SQLException {
        return new Job(rs.getString("id"), rs.getString("tenant"), rs.getString("task"), JobState.PROCESSING,
                Priority.fromRank(rs.getInt("priority")), JobInput.ofJson(rs.getString("input")), rs.getString("metadata"),
                rs.getInt("attempt"), rs.getInt("max_attempts"), millis(rs, "created_at"), millis(rs, "run_at"),
                millis(rs, "deadline"), truncate(leaseUntil), truncate(startedAt), null, null, rs.getString("error"),
                null, null, rs.getString("traceparent"));
    }

    /**
     * Runs a store's claim statement, whose parameters are lease-until, now, worker, now, now, the
     * task (for a claim of one task), the tenant cap (for a capped claim) and the limit, and
     * returns the claimed jobs in dispatch order (queue key, then id): {@code RETURNING} does not
     * keep the subquery's order.
     */
    public static List<Job> claim(PreparedStatement ps, ClaimParams params) throws SQLException {
        long now = params.now().toEpochMilli();
        ps.setLong(1, params.leaseUntil().toEpochMilli());
        ps.setLong(2, now);
        ps.setString(3, params.worker());
        ps.setLong(4, now);
        ps.setLong(5, now);
        int next = 6;
        if (params.task() != null) {
            ps.setString(next++, params.task());
        }
        if (params.maxRunningPerTenant() > 0) {
            ps.setInt(next++, params.maxRunningPerTenant());
        }
        ps.setInt(next, params.limit());
        record Keyed(long key, Job job) {
        }
        var keyed = new ArrayList<Keyed>(params.limit());
        try (var rs = ps.executeQuery()) {
            while (rs.next()) {
                keyed.add(new Keyed(rs.getLong("queue_key"), claimed(rs, params.leaseUntil(), params.now())));
            }
        }
        // RETURNING keeps no order: the claim's is the queue's
        keyed.sort(Comparator.comparingLong(Keyed::key).thenComparing(k -> k.job().id()));
        return keyed.stream().map(Keyed::job).toList();
    }

    /** The job a {@link NewJob} becomes when inserted at {@code now}. */
    public static Job inserted(NewJob j, Instant now) {
        var at = truncate(now);
        return new Job(j.id(), j.tenant(), j.task(), JobState.PENDING, j.priority(), j.input(), j.metadata(), 0,
                j.maxAttempts(), at, at, truncate(j.deadline()), null, null, null, null, null,
                j.idempotencyKey(), j.requestHash(), j.traceparent());
    }

    public static Optional<Job> one(PreparedStatement ps) throws SQLException {
        try (var rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(job(rs)) : Optional.empty();
        }
    }

    public static List<Job> many(PreparedStatement ps) throws SQLException {
        var out = new ArrayList<Job>();
        try (var rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(job(rs));
            }
        }
        return out;
    }

    public static Instant millis(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    public static void setMillis(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }

    /**
     * The listing query both SQL stores run, newest first; {@code idParameter} is how the store
     * writes a bound job id ({@code ?}, or {@code ?::uuid} where ids are typed). Bind it with
     * {@link #listPage}.
     */
    public static String listSql(ListParams params, String idParameter) {
        var sql = new StringBuilder("SELECT " + COLUMNS + " FROM jobs WHERE "
                + (params.tenant().equals(JobStore.ANY_TENANT) ? "1 = 1" : "tenant = ?"));
        if (params.state() != null) {
            sql.append(" AND state = ?");
        }
        if (params.task() != null) {
            sql.append(" AND task = ?");
        }
        if (params.afterId() != null) {
            sql.append(" AND id < ").append(idParameter);
        }
        return sql.append(" ORDER BY id DESC LIMIT ?").toString();
    }

    /** Binds and runs a statement prepared from {@link #listSql}, and cuts the page. */
    public static JobPage listPage(PreparedStatement ps, ListParams params) throws SQLException {
        int i = 1;
        if (!params.tenant().equals(JobStore.ANY_TENANT)) {
            ps.setString(i++, params.tenant());
        }
        if (params.state() != null) {
            ps.setString(i++, params.state().wireName());
        }
        if (params.task() != null) {
            ps.setString(i++, params.task());
        }
        if (params.afterId() != null) {
            ps.setString(i++, params.afterId());
        }
        ps.setInt(i, params.limit() + 1);
        var jobs = many(ps);
        if (jobs.size() > params.limit()) {
            jobs = jobs.subList(0, params.limit());
            return new JobPage(jobs, jobs.getLast().id());
        }
        return new JobPage(jobs, null);
    }

    /** Pending jobs by task and priority (the query both SQL stores run). */
    public static List<QueueStats.Depth> queueDepth(Connection c) throws SQLException {
        var out = new ArrayList<QueueStats.Depth>();
        try (var st = c.createStatement();
             var rs = st.executeQuery("SELECT task, priority, count(*) FROM jobs WHERE state = 'pending'"
                     + " GROUP BY task, priority ORDER BY task, priority")) {
            while (rs.next()) {
                out.add(new QueueStats.Depth(rs.getString(1), Priority.fromRank(rs.getInt(2)), rs.getLong(3)));
            }
        }
        return out;
    }

    /** Per task and priority, the smallest queue key of a job claimable at {@code now} (the query both SQL stores run). */
    public static List<QueueStats.Front> queueFront(Connection c, Instant now) throws SQLException {
        var out = new ArrayList<QueueStats.Front>();
        try (var ps = c.prepareStatement("SELECT task, priority, min(queue_key) FROM jobs WHERE state = 'pending'"
                + " AND run_at <= ? AND (deadline IS NULL OR deadline > ?) AND attempt < max_attempts"
                + " GROUP BY task, priority")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setLong(2, now.toEpochMilli());
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new QueueStats.Front(rs.getString(1), Priority.fromRank(rs.getInt(2)), rs.getLong(3)));
                }
            }
        }
        return out;
    }

    /**
     * Records the scheduler's fronts with {@code upsert}: the store's
     * {@code INSERT INTO queue_fronts (task, priority, front_key) VALUES (?, ?, ?) ON CONFLICT ...},
     * keeping the larger key.
     */
    public static void publishFronts(Connection c, String upsert, List<QueueStats.Front> fronts) throws SQLException {
        try (var ps = c.prepareStatement(upsert)) {
            for (var f : fronts) {
                ps.setString(1, f.task());
                ps.setInt(2, f.priority().rank());
                ps.setLong(3, f.key());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Per task, the jobs processing and those finished since {@code since} (the queries both SQL stores run). */
    public static List<QueueStats.Activity> taskActivity(Connection c, Instant since) throws SQLException {
        var running = new TreeMap<String, Long>();
        var finished = new TreeMap<String, Long>();
        try (var st = c.createStatement();
             var rs = st.executeQuery("SELECT task, count(*) FROM jobs WHERE state = 'processing' GROUP BY task")) {
            while (rs.next()) {
                running.put(rs.getString(1), rs.getLong(2));
            }
        }
        // the literal predicate lets the planner use the partial index jobs_finished
        try (var ps = c.prepareStatement("SELECT task, count(*) FROM jobs WHERE finished_at IS NOT NULL AND finished_at >= ?"
                + " GROUP BY task")) {
            ps.setLong(1, since.toEpochMilli());
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    finished.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        var tasks = new TreeSet<String>(running.keySet());
        tasks.addAll(finished.keySet());
        var out = new ArrayList<QueueStats.Activity>(tasks.size());
        for (var t : tasks) {
            out.add(new QueueStats.Activity(t, running.getOrDefault(t, 0L), finished.getOrDefault(t, 0L)));
        }
        return out;
    }

    /** Queue totals and the oldest runnable job's age at {@code now} (the queries both SQL stores run). */
    public static QueueStats queueStats(Connection c, Instant now) throws SQLException {
        long pending;
        long processing;
        long oldest = Long.MAX_VALUE;
        try (var st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT count(*) FROM jobs WHERE state = 'pending'")) {
                rs.next();
                pending = rs.getLong(1);
            }
            try (var rs = st.executeQuery("SELECT count(*) FROM jobs WHERE state = 'processing'")) {
                rs.next();
                processing = rs.getLong(1);
            }
        }
        // one index seek per priority: the runnable index is ordered by (priority, run_at)
        try (var ps = c.prepareStatement("SELECT min(run_at) FROM jobs WHERE state = 'pending' AND priority = ?")) {
            for (int priority = 0; priority <= 2; priority++) {
                ps.setInt(1, priority);
                try (var rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long runAt = rs.getLong(1);
                        if (!rs.wasNull()) {
                            oldest = Math.min(oldest, runAt);
                        }
                    }
                }
            }
        }
        long age = oldest == Long.MAX_VALUE ? 0 : Math.max(0, now.toEpochMilli() - oldest);
        return new QueueStats(pending, processing, Duration.ofMillis(age));
    }

    /** The stores keep millisecond times; what they return is truncated alike. */
    public static Instant truncate(Instant t) {
        return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
    }
}
