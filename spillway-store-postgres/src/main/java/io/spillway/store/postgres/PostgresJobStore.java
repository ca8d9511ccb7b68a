package io.spillway.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.spillway.core.Job;
import io.spillway.core.JobRef;
import io.spillway.core.JobState;
import io.spillway.core.NewJob;
import io.spillway.core.keys.ApiKey;
import io.spillway.core.store.Attachment;
import io.spillway.core.store.Budget;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.FieldsReplacement;
import io.spillway.core.store.InsertLimits;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.InsertResult;
import io.spillway.core.store.JobEvents;
import io.spillway.core.store.JobPage;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.LeaseRenewParams;
import io.spillway.core.store.ListParams;
import io.spillway.core.store.MonotonicClock;
import io.spillway.core.store.PastDeadlineParams;
import io.spillway.core.store.QueueStats;
import io.spillway.core.store.StateChange;
import io.spillway.core.store.StateChangeParams;
import io.spillway.core.store.StoreException;
import io.spillway.core.store.StuckParams;
import io.spillway.core.store.UsageRow;
import io.spillway.store.jdbc.JdbcAttachments;
import io.spillway.store.jdbc.JdbcJobRows;
import io.spillway.store.jdbc.JdbcKeys;
import io.spillway.store.jdbc.JdbcUsage;
import io.spillway.store.jdbc.SchemaMigration;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * The shared {@link JobStore} on PostgreSQL, for many gateway and worker processes.
 *
 * <p>Implementation notes. Every method is one transaction on a pooled connection (HikariCP;
 * a connection that cannot be had within the configured timeout fails the call with
 * {@link StoreException}, which the API answers with 503). Batches travel as arrays and are
 * expanded with {@code unnest}, so a group commit of a thousand jobs is one statement. Claims
 * take rows {@code FOR UPDATE SKIP LOCKED}: concurrent workers never wait on each other's rows.
 * Transactions that make jobs runnable or change them send {@code NOTIFY} (delivered at commit)
 * for {@link PostgresEvents}. The queries mirror the SQLite store's, with the same names.
 */
public final class PostgresJobStore implements JobStore {
    static final String RUNNABLE_CHANNEL = "spillway_runnable";
    static final String CHANGED_CHANNEL = "spillway_changed";
    private static final int MAX_NOTIFY_BYTES = 7900;

    private static final String INSERT = "INSERT INTO jobs (id, tenant, task, state, priority, input, metadata,"
            + " attempt, max_attempts, created_at, run_at, deadline, idempotency_key, request_hash, traceparent, queue_key,"
            + " reserved)"
            + " SELECT u.id, u.tenant, u.task, 'pending', u.priority, u.input, u.metadata, 0, u.max_attempts, ?, ?,"
            + " u.deadline, u.idem, u.hash, u.trace, u.queue_key, u.reserved"
            + " FROM unnest(?::uuid[], ?::text[], ?::text[], ?::int2[], ?::text[], ?::text[], ?::int4[], ?::int8[],"
            + " ?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[])"
            + " AS u(id, tenant, task, priority, input, metadata, max_attempts, deadline, idem, hash, trace, queue_key, reserved)"
            // a repeated (tenant, idempotency_key) inserts nothing; the existing row is read after
            + " ON CONFLICT DO NOTHING RETURNING id";

    private static final String CLAIM = "UPDATE jobs SET state = 'processing', attempt = attempt + 1,"
            + " lease_until = ?, started_at = ?, worker = ?"
            + " WHERE id IN (SELECT id FROM jobs"
            + "   WHERE state = 'pending' AND run_at <= ? AND (deadline IS NULL OR deadline > ?)"
            // no claim may exceed max_attempts
            + "     AND attempt < max_attempts"
            + "   ORDER BY queue_key LIMIT ?"
            // rows another worker is claiming right now are skipped, not waited for
            + "   FOR UPDATE SKIP LOCKED)"
            + " RETURNING " + JdbcJobRows.CLAIMED_COLUMNS;
    /** {@link #CLAIM} of one task's jobs (the partial index jobs_queue_by_task). */
    private static final String CLAIM_TASK = CLAIM.replace("AND attempt < max_attempts", "AND attempt < max_attempts AND task = ?");
    /**
     * {@link #CLAIM_TASK} holding each tenant to a number of processing jobs (row locks cannot be
     * taken beside a window function, so the ranked ids are locked in a query around them).
     */
    private static final String CLAIM_TASK_CAPPED = "UPDATE jobs SET state = 'processing', attempt = attempt + 1,"
            + " lease_until = ?, started_at = ?, worker = ?"
            // the literal state is checked again on each row once it is locked: a job cancelled meanwhile stays so
            + " WHERE id IN (SELECT id FROM jobs WHERE id IN (" + JdbcJobRows.CAPPED_CLAIM_IDS + ") AND state = 'pending'"
            + "   FOR UPDATE SKIP LOCKED)"
            + " RETURNING " + JdbcJobRows.CLAIMED_COLUMNS;
    /**
     * Capped claims take turns across processes (one lock per schema: the cap counts a tenant's
     * running jobs of every task), so two never count the same running jobs.
     */
    private static final String CLAIM_TURN = "SELECT pg_advisory_xact_lock(hashtext(?))";

    private static final String SET_STATE = "UPDATE jobs AS j SET state = f.to_state, attempt = f.attempt_after,"
            + " result = f.result, error = f.error,"
            + " run_at = coalesce(f.run_at, j.run_at), finished_at = f.finished_at, lease_until = NULL"
            + " FROM unnest(?::uuid[], ?::text[], ?::int4[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::int8[], ?::int8[])"
            + "   AS f(id, from_state, attempt, to_state, attempt_after, result, error, run_at, finished_at)"
            // fencing: only a job still in the expected state under the expected claim moves
            + " WHERE j.id = f.id AND j.state = f.from_state AND j.attempt = f.attempt"
            // the expected attempt, not the new one: it is how the caller names the change
            + " RETURNING j.id, f.attempt";

    private static final String RENEW = "UPDATE jobs AS j SET lease_until = ?"
            + " FROM unnest(?::uuid[], ?::int4[]) AS r(id, attempt)"
            + " WHERE j.id = r.id AND j.state = 'processing' AND j.attempt = r.attempt"
            + " RETURNING j.id, j.attempt";

    private static final String LIST_STUCK = "SELECT " + JdbcJobRows.COLUMNS + " FROM jobs"
            + " WHERE state = 'processing' AND lease_until < ? LIMIT ?";

    private static final String LIST_PAST_DEADLINE = "SELECT " + JdbcJobRows.COLUMNS + " FROM jobs"
            + " WHERE state = 'pending' AND deadline IS NOT NULL AND deadline <= ? LIMIT ?";

    private static final JdbcAttachments ATTACHMENTS = new JdbcAttachments("CAST(? AS uuid)", "FOR UPDATE");

    private final PostgresStoreConfig config;
    /** The usage rows this process adds to ({@link JdbcUsage}): its own, so completions of many processes do not wait on one row. */
    private final int usageShard = java.util.concurrent.ThreadLocalRandom.current().nextInt(1024);
    private final HikariDataSource pool;
    private final PostgresEvents events;
    /** Attachment chunks, each written in a transaction of its own. */
    private final JdbcAttachments.Transactions transactions = new JdbcAttachments.Transactions() {
        @Override
        public <T> T inTransaction(String what, JdbcAttachments.Work<T> work) {
            return tx(what, work::run);
        }
    };

    private final SchemaMigration migration;

    private PostgresJobStore(PostgresStoreConfig config, HikariDataSource pool, SchemaMigration migration) {
        this.config = config;
        this.pool = pool;
        this.migration = migration;
        this.events = new PostgresEvents(config);
    }

    /**
     * Connects, creates the schema if needed and applies migrations (serialized across
     * processes by an advisory lock, so many processes may start at once).
     *
     * @throws StoreException when PostgreSQL cannot be reached or the schema is newer than this build
     */
    public static PostgresJobStore open(PostgresStoreConfig config) {
        checkConnection(config);
        var hc = new HikariConfig();
        hc.setJdbcUrl(config.jdbcUrl());
        if (config.user() != null) {
            hc.setUsername(config.user());
        }
        if (config.password() != null) {
            hc.setPassword(config.password());
        }
        hc.setSchema(config.schema());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(Math.min(2, config.poolSize()));
        hc.setAutoCommit(false);
        hc.setConnectionTimeout(Math.max(250, config.connectTimeout().toMillis()));
        // checkConnection has failed fast with the driver's reason; a pool that loses the database
        // later keeps trying in the background while calls fail
        hc.setInitializationFailTimeout(-1);
        hc.setPoolName("spillway-pg");
        hc.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, config.connectTimeout().toSeconds())));
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("ApplicationName", "spillway");
        var pool = new HikariDataSource(hc);
        SchemaMigration migration;
        try {
            migration = PostgresMigrations.apply(pool, config.schema());
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e instanceof StoreException se ? se
                    : new StoreException("cannot prepare the PostgreSQL store " + config.describe() + ": " + reason(e), e);
        }
        return new PostgresJobStore(config, pool, migration);
    }

    /**
     * One connection straight from the driver, before the pool: a refused connection, an unknown
     * role or database, or a bad password fails the start at once with the driver's reason,
     * instead of after the pool's timeout with only "Connection is not available".
     */
    private static void checkConnection(PostgresStoreConfig config) {
        var props = new Properties();
        if (config.user() != null) {
            props.setProperty("user", config.user());
        }
        if (config.password() != null) {
            props.setProperty("password", config.password());
        }
        props.setProperty("connectTimeout", String.valueOf(Math.max(1, config.connectTimeout().toSeconds())));
        props.setProperty("ApplicationName", "spillway");
        try (var c = DriverManager.getConnection(config.jdbcUrl(), props)) {
            c.isValid(Math.max(1, (int) config.connectTimeout().toSeconds()));
        } catch (SQLException e) {
            throw new StoreException("cannot connect to PostgreSQL " + config.server() + ": " + reason(e), e);
        }
    }

    /**
     * An error's message followed by its causes' where they add something: HikariCP's "Connection
     * is not available" carries the driver's reason (refused, unknown role) only as its cause.
     */
    static String reason(Throwable e) {
        var text = new StringBuilder(String.valueOf(e.getMessage()));
        int depth = 0;
        for (var cause = e.getCause(); cause != null && depth < 5; cause = cause.getCause(), depth++) {
            var message = cause.getMessage();
            if (message != null && !text.toString().contains(message)) {
                text.append(text.toString().endsWith(".") ? " " : ": ").append(message);
            }
        }
        return text.toString();
    }

    @Override
    public Optional<JobEvents> events() {
        return Optional.of(events);
    }

    @Override
    public List<InsertResult> jobInsertMany(InsertParams params) {
        if (params.jobs().isEmpty()) {
            return List.of();
        }
        // under a pending cap, each tenant's count takes a lock first: two processes count one after the other
        return tx("insert", c -> params.limited()
                ? InsertLimits.apply(params, JdbcJobRows.limitCounts(c,
                        "SELECT pg_advisory_xact_lock(hashtext('spillway pending " + config.schema() + " ' || ?))"),
                        p -> insertAll(c, p))
                : insertAll(c, params));
    }

    private List<InsertResult> insertAll(Connection c, InsertParams params) throws SQLException {
        var jobs = params.jobs();
        int n = jobs.size();
        var ids = new UUID[n];
        var tenants = new String[n];
        var tasks = new String[n];
        var priorities = new Short[n];
        var inputs = new String[n];
        var metadata = new String[n];
        var maxAttempts = new Integer[n];
        var deadlines = new Long[n];
        var keys = new String[n];
        var hashes = new String[n];
        var traces = new String[n];
        var reserved = new Long[n];
        for (int i = 0; i < n; i++) {
            var j = jobs.get(i);
            reserved[i] = j.reservation();
            ids[i] = UUID.fromString(j.id());
            tenants[i] = j.tenant();
            tasks[i] = j.task();
            priorities[i] = (short) j.priority().rank();
            inputs[i] = j.input().json();
            metadata[i] = j.metadata();
            maxAttempts[i] = j.maxAttempts();
            deadlines[i] = j.deadline() == null ? null : j.deadline().toEpochMilli();
            keys[i] = j.idempotencyKey();
            hashes[i] = j.requestHash();
            traces[i] = j.traceparent();
        }
        long now = params.now().toEpochMilli();
        var inserted = new HashSet<String>();
        try (var ps = c.prepareStatement(INSERT)) {
            ps.setLong(1, now);
            ps.setLong(2, now);
            ps.setArray(3, c.createArrayOf("uuid", ids));
            ps.setArray(4, c.createArrayOf("text", tenants));
            ps.setArray(5, c.createArrayOf("text", tasks));
            ps.setArray(6, c.createArrayOf("int2", priorities));
            ps.setArray(7, c.createArrayOf("text", inputs));
            ps.setArray(8, c.createArrayOf("text", metadata));
            ps.setArray(9, c.createArrayOf("int4", maxAttempts));
            ps.setArray(10, c.createArrayOf("int8", deadlines));
            ps.setArray(11, c.createArrayOf("text", keys));
            ps.setArray(12, c.createArrayOf("text", hashes));
            ps.setArray(13, c.createArrayOf("text", traces));
            ps.setArray(14, c.createArrayOf("int8", params.queueKeys().toArray()));
            ps.setArray(15, c.createArrayOf("int8", reserved));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        }
        var results = new ArrayList<InsertResult>(n);
        for (NewJob j : jobs) {
            if (inserted.contains(j.id())) {
                results.add(new InsertResult(JdbcJobRows.inserted(j, params.now()), true));
            } else if (j.idempotencyKey() != null) {
                try (var ps = c.prepareStatement("SELECT " + JdbcJobRows.COLUMNS + " FROM jobs WHERE tenant = ? AND idempotency_key = ?")) {
                    ps.setString(1, j.tenant());
                    ps.setString(2, j.idempotencyKey());
                    var existing = JdbcJobRows.one(ps).orElseThrow(() -> new StoreException(
                            "insert of " + j.id() + " conflicted but no job holds its idempotency key"));
                    results.add(new InsertResult(existing, false));
                }
            } else {
                throw new StoreException("job id " + j.id() + " already exists");
            }
        }
        if (!inserted.isEmpty()) {
            notify(c, RUNNABLE_CHANNEL, "");
        }
        return results;
    }

    @Override
    public List<Job> jobClaim(ClaimParams params) {
        boolean capped = params.maxRunningPerTenant() > 0;
        return asyncTx("claim", c -> {
            if (capped) {
                try (var turn = c.prepareStatement(CLAIM_TURN)) {
                    turn.setString(1, "spillway capped claim " + config.schema());
                    turn.execute();
                }
            }
            try (var ps = c.prepareStatement(params.task() == null ? CLAIM : capped ? CLAIM_TASK_CAPPED : CLAIM_TASK)) {
                return JdbcJobRows.claim(ps, params);
            }
        });
    }

    @Override
    public List<Boolean> jobSetStateMany(StateChangeParams params) {
        var finishes = params.changes();
        if (finishes.isEmpty()) {
            return List.of();
        }
        return tx("set state", c -> {
            int n = finishes.size();
            var ids = new UUID[n];
            var fromStates = new String[n];
            var attempts = new Integer[n];
            var states = new String[n];
            var attemptsAfter = new Integer[n];
            var results = new String[n];
            var errors = new String[n];
            var runAts = new Long[n];
            var finishedAts = new Long[n];
            long now = params.now().toEpochMilli();
            for (int i = 0; i < n; i++) {
                var f = finishes.get(i);
                ids[i] = UUID.fromString(f.ref().id());
                fromStates[i] = f.from().wireName();
                attempts[i] = f.ref().attempt();
                states[i] = f.to().wireName();
                attemptsAfter[i] = f.attemptAfter();
                results[i] = f.result();
                errors[i] = f.error();
                runAts[i] = f.runAt() == null ? null : f.runAt().toEpochMilli();
                finishedAts[i] = f.isTerminal() ? now : null;
            }
            var applied = new HashSet<JobRef>();
            try (var ps = c.prepareStatement(SET_STATE)) {
                ps.setArray(1, c.createArrayOf("uuid", ids));
                ps.setArray(2, c.createArrayOf("text", fromStates));
                ps.setArray(3, c.createArrayOf("int4", attempts));
                ps.setArray(4, c.createArrayOf("text", states));
                ps.setArray(5, c.createArrayOf("int4", attemptsAfter));
                ps.setArray(6, c.createArrayOf("text", results));
                ps.setArray(7, c.createArrayOf("text", errors));
                ps.setArray(8, c.createArrayOf("int8", runAts));
                ps.setArray(9, c.createArrayOf("int8", finishedAts));
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        applied.add(new JobRef(rs.getString(1), rs.getInt(2)));
                    }
                }
            }
            var out = new ArrayList<Boolean>(n);
            var changed = new ArrayList<String>();
            boolean runnable = false;
            for (var f : finishes) {
                boolean ok = applied.contains(f.ref());
                out.add(ok);
                if (ok) {
                    changed.add(f.ref().id());
                    runnable |= f.to() == JobState.PENDING;
                }
            }
            notifyChanged(c, changed);
            if (runnable) {
                notify(c, RUNNABLE_CHANNEL, "");
            }
            JdbcUsage.add(c, UsageRow.sum(Budget.day(params.now()), StateChange.usagesApplied(finishes, out)), usageShard);
            return out;
        });
    }

    @Override
    public List<UsageRow> usageList(String tenant, LocalDate from, LocalDate to) {
        return tx("usage", c -> JdbcUsage.list(c, tenant, from, to));
    }

    @Override
    public long costReserved(String tenant) {
        return tx("reserved", c -> JdbcUsage.reserved(c, tenant));
    }

    @Override
    public List<JobRef> jobLeaseRenew(LeaseRenewParams params) {
        if (params.refs().isEmpty()) {
            return List.of();
        }
        return asyncTx("renew", c -> {
            var ids = new UUID[params.refs().size()];
            var attempts = new Integer[ids.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = UUID.fromString(params.refs().get(i).id());
                attempts[i] = params.refs().get(i).attempt();
            }
            var renewed = new HashSet<JobRef>();
            try (var ps = c.prepareStatement(RENEW)) {
                ps.setLong(1, params.leaseUntil().toEpochMilli());
                ps.setArray(2, c.createArrayOf("uuid", ids));
                ps.setArray(3, c.createArrayOf("int4", attempts));
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        renewed.add(new JobRef(rs.getString(1), rs.getInt(2)));
                    }
                }
            }
            return params.refs().stream().filter(renewed::contains).toList();
        });
    }

    @Override
    public List<Job> jobListStuck(StuckParams params) {
        return tx("list stuck", c -> {
            try (var ps = c.prepareStatement(LIST_STUCK)) {
                ps.setLong(1, params.leaseExpiredBefore().equals(Instant.MAX) ? Long.MAX_VALUE
                        : params.leaseExpiredBefore().toEpochMilli());
                ps.setInt(2, params.limit());
                return JdbcJobRows.many(ps);
            }
        });
    }

    @Override
    public List<Job> jobListPastDeadline(PastDeadlineParams params) {
        return tx("list past deadline", c -> {
            try (var ps = c.prepareStatement(LIST_PAST_DEADLINE)) {
                ps.setLong(1, params.now().toEpochMilli());
                ps.setInt(2, params.limit());
                return JdbcJobRows.many(ps);
            }
        });
    }

    /**
     * The database server's clock, read once and carried on by this machine's monotonic clock:
     * every process on the database takes its times from the same source, so a clock step on one
     * machine neither expires a healthy lease nor makes another worker's look alive.
     */
    @Override
    public InstantSource clock() {
        return tx("clock", c -> {
            long before = System.nanoTime();
            try (var st = c.createStatement();
                 var rs = st.executeQuery("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::int8")) {
                rs.next();
                long micros = rs.getLong(1);
                // the reading was taken about half-way through the round trip
                long halfTrip = (System.nanoTime() - before) / 2;
                return MonotonicClock.anchoredAt(Instant.ofEpochSecond(0, micros * 1000 + halfTrip));
            }
        });
    }

    @Override
    public Optional<Job> jobGet(String tenant, String id) {
        var uuid = uuid(id);
        if (uuid == null) {
            return Optional.empty();
        }
        return tx("get", c -> {
            try (var ps = c.prepareStatement(JdbcJobRows.getSql(tenant, "?"))) {
                ps.setObject(1, uuid);
                if (!tenant.equals(ANY_TENANT)) {
                    ps.setString(2, tenant);
                }
                return JdbcJobRows.one(ps);
            }
        });
    }

    @Override
    public int jobFieldsReplace(List<FieldsReplacement> replacements) {
        return tx("replace fields", c -> JdbcJobRows.replaceFields(c, "UPDATE jobs SET input = ?, metadata = ?, result = ?,"
                + " error = ? WHERE id = ? AND input = ? AND metadata IS NOT DISTINCT FROM ? AND result IS NOT DISTINCT FROM ?"
                + " AND error IS NOT DISTINCT FROM ?", replacements, id -> {
                    var uuid = uuid(id);
                    return uuid == null ? new UUID(0, 0) : uuid;
                }));
    }

    @Override
    public void keyInsert(ApiKey key) {
        tx("insert key", c -> {
            JdbcKeys.insert(c, key);
            return null;
        });
    }

    @Override
    public Optional<ApiKey> keyGet(String id) {
        return tx("get key", c -> JdbcKeys.get(c, id));
    }

    @Override
    public List<ApiKey> keyList() {
        return tx("list keys", c -> JdbcKeys.list(c));
    }

    @Override
    public boolean keyRevoke(String id, Instant at) {
        return tx("revoke key", c -> JdbcKeys.revoke(c, id, at));
    }

    @Override
    public boolean keyExists() {
        return tx("find keys", c -> JdbcKeys.exists(c));
    }

    /** The key's row of {@code rate_buckets}, shared by every gateway ({@link JdbcKeys#rateTake}). */
    @Override
    public int keyRateTake(String keyId, double ratePerSecond, double capacity, int want, Instant now) {
        return tx("take from a rate bucket", c -> JdbcKeys.rateTake(c, keyId, ratePerSecond, capacity, want, now));
    }

    @Override
    public JobPage jobList(ListParams params) {
        var p = params.afterId() == null || uuid(params.afterId()) != null ? params
                : new ListParams(params.tenant(), params.state(), params.task(), params.limit(), null);
        var sql = JdbcJobRows.listSql(p, "?::uuid");
        return tx("list", c -> {
            try (var ps = c.prepareStatement(sql)) {
                return JdbcJobRows.listPage(ps, p);
            }
        });
    }

    @Override
    public long jobCountPending() {
        return tx("count", c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM jobs WHERE state = 'pending'")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public long jobCountFailed() {
        return tx("count failed", c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery(JdbcJobRows.COUNT_FAILED)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public List<QueueStats.Depth> jobQueueDepth() {
        return tx("depth", c -> JdbcJobRows.queueDepth(c));
    }

    @Override
    public List<QueueStats.Front> jobQueueFront(Instant now) {
        return tx("front", c -> JdbcJobRows.queueFront(c, now));
    }

    @Override
    public void jobQueueFrontPublish(List<QueueStats.Front> fronts) {
        asyncTx("publish fronts", c -> {
            JdbcJobRows.publishFronts(c, "INSERT INTO queue_fronts (task, priority, front_key) VALUES (?, ?, ?)"
                    + " ON CONFLICT (task, priority) DO UPDATE SET front_key = greatest(queue_fronts.front_key, excluded.front_key)",
                    fronts);
            return null;
        });
    }

    @Override
    public List<QueueStats.Activity> jobTaskActivity(Instant since) {
        return tx("activity", c -> JdbcJobRows.taskActivity(c, since));
    }

    @Override
    public QueueStats jobQueueStats(Instant now) {
        return tx("stats", c -> JdbcJobRows.queueStats(c, now));
    }

    @Override
    public int jobDeleteFinished(Instant finishedBefore, int limit) {
        return tx("delete", c -> {
            try (var ps = c.prepareStatement("WITH done AS (DELETE FROM jobs WHERE id IN (SELECT id FROM jobs"
                    + " WHERE finished_at IS NOT NULL AND finished_at < ? ORDER BY finished_at LIMIT ?"
                    + " FOR UPDATE SKIP LOCKED) RETURNING id),"
                    + " chunks AS (DELETE FROM attachment_chunks a USING done WHERE a.job_id = done.id),"
                    + " attached AS (DELETE FROM attachments a USING done WHERE a.job_id = done.id)"
                    + " SELECT count(*) FROM done")) {
                ps.setLong(1, finishedBefore.toEpochMilli());
                ps.setInt(2, limit);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public Attachment attachmentWrite(String jobId, String name, String filename, InputStream in, Instant now)
            throws IOException {
        return ATTACHMENTS.write(transactions, jobId, name, filename, in, now);
    }

    @Override
    public List<Attachment> attachmentPage(String afterJobId, String afterName, int limit) {
        return tx("attachment page", c -> ATTACHMENTS.page(c, afterJobId, afterName, limit));
    }

    @Override
    public boolean attachmentHeadReplace(Attachment attachment, byte[] before, byte[] after) {
        return tx("attachment head", c -> ATTACHMENTS.headReplace(c, attachment, before, after));
    }

    @Override
    public Optional<Attachment> attachmentGet(String jobId, String name) {
        return tx("attachment get", c -> ATTACHMENTS.get(c, jobId, name));
    }

    @Override
    public InputStream attachmentRead(Attachment attachment) {
        return ATTACHMENTS.read(transactions, attachment);
    }

    @Override
    public void attachmentDelete(String jobId, String name) {
        tx("attachment delete", c -> {
            ATTACHMENTS.deleteNamed(c, jobId, name);
            return null;
        });
    }

    @Override
    public void attachmentDeleteAll(String jobId) {
        tx("attachment delete", c -> {
            ATTACHMENTS.deleteAll(c, jobId);
            return null;
        });
    }

    @Override
    public int attachmentDeleteOrphans(Instant writtenBefore) {
        return tx("attachment sweep", c -> ATTACHMENTS.deleteOrphans(c, writtenBefore));
    }

    /** Live and dead row counts of the jobs table, as PostgreSQL's statistics see them. */
    public TableStats tableStats() {
        return tx("stats", c -> {
            try (var ps = c.prepareStatement("SELECT coalesce(n_live_tup, 0), coalesce(n_dead_tup, 0)"
                    + " FROM pg_stat_user_tables WHERE schemaname = ? AND relname = 'jobs'")) {
                ps.setString(1, config.schema());
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? new TableStats(rs.getLong(1), rs.getLong(2)) : new TableStats(0, 0);
                }
            }
        });
    }

    @Override
    public Map<String, Long> tableRows() {
        var stats = tableStats();
        return Map.of("live_rows", stats.liveRows(), "dead_rows", stats.deadRows());
    }

    /** Row counts of the jobs table: live rows and dead (deleted or updated, not yet vacuumed). */
    public record TableStats(long liveRows, long deadRows) {
    }

    @Override
    public void ping() {
        tx("ping", c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT 1")) {
                return rs.next();
            }
        });
    }

    @Override
    public void close() {
        events.close();
        pool.close();
    }

    public PostgresStoreConfig config() {
        return config;
    }

    /** What opening this store did to its schema. */
    public SchemaMigration migration() {
        return migration;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * A transaction whose commit need not wait for the WAL flush: losing it in a database crash
     * only makes work happen again (a claim, a lease renewal, a recorded outcome of an
     * at-least-once job), never loses an acknowledged job. Inserts always wait for the flush.
     */
    private <T> T asyncTx(String what, SqlWork<T> work) {
        return tx(what, c -> {
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL synchronous_commit TO off");
            }
            return work.run(c);
        });
    }

    private <T> T tx(String what, SqlWork<T> work) {
        try (var c = pool.getConnection()) {
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        } catch (StoreException e) {
            throw e;
        } catch (SQLException | RuntimeException e) {
            throw new StoreException("PostgreSQL " + what + " failed (" + config.describe() + "): " + reason(e), e);
        }
    }

    private static void notify(Connection c, String channel, String payload) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    /** Sends the changed ids in as few notifications as fit PostgreSQL's 8000-byte payload limit. */
    private static void notifyChanged(Connection c, Collection<String> ids) throws SQLException {
        var sb = new StringBuilder();
        for (var id : ids) {
            if (sb.length() + id.length() + 1 > MAX_NOTIFY_BYTES) {
                notify(c, CHANGED_CHANNEL, sb.toString());
                sb.setLength(0);
            }
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(id);
        }
        if (!sb.isEmpty()) {
            notify(c, CHANGED_CHANNEL, sb.toString());
        }
    }

    private static UUID uuid(String id) {
        try {
            return id == null || id.length() != 36 ? null : UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

}
