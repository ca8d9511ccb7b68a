package io.spillway.store.sqlite;

import io.spillway.core.Job;
import io.spillway.core.JobIds;
import io.spillway.core.JobRef;
import io.spillway.core.NewJob;
import io.spillway.core.keys.ApiKey;
import io.spillway.core.store.Attachment;
import io.spillway.core.store.Budget;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.FieldsReplacement;
import io.spillway.core.store.InsertLimits;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.InsertResult;
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
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded {@link JobStore}: one SQLite file in WAL mode.
 *
 * <p>Implementation notes. SQLite has one writer at a time, so this store has exactly one write
 * connection, serialized by {@code writeLock}: writers queue in Java instead of spinning on
 * {@code SQLITE_BUSY}. Reads use a small pool of read connections, which WAL lets run while a
 * write is in progress. Callers batch (group commit), so one transaction carries many jobs.
 * The file is locked ({@code <db>.lock}) for the life of the store: a second process on the
 * same data directory fails at open instead of corrupting leases. Times are stored as epoch
 * milliseconds; a millisecond is the resolution of every time this store returns.
 */
public final class SqliteJobStore implements JobStore {
    private static final Logger log = LoggerFactory.getLogger(SqliteJobStore.class);
    private static final String INSERT = "INSERT INTO jobs (id, tenant, task, state, priority, input, metadata,"
            + " attempt, max_attempts, created_at, run_at, deadline, idempotency_key, request_hash, traceparent, queue_key,"
            + " reserved) VALUES (?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            // a repeated (tenant, idempotency_key) inserts nothing; the existing row is read after
            + " ON CONFLICT DO NOTHING";

    private static final String CLAIM = "UPDATE jobs SET state = 'processing', attempt = attempt + 1,"
            + " lease_until = ?, started_at = ?, worker = ?"
            + " WHERE id IN (SELECT id FROM jobs"
            // literal state predicate: lets the planner use the partial index jobs_queue_by_task
            + "   WHERE state = 'pending' AND run_at <= ? AND (deadline IS NULL OR deadline > ?)"
            // no claim may exceed max_attempts
            + "     AND attempt < max_attempts"
            + "   ORDER BY queue_key LIMIT ?)"
            // only what a handler needs; the rest is known (state, lease) or not needed
            + " RETURNING " + JdbcJobRows.CLAIMED_COLUMNS;
    /** {@link #CLAIM} of one task's jobs (the partial index jobs_queue_by_task). */
    private static final String CLAIM_TASK = CLAIM.replace("AND attempt < max_attempts", "AND attempt < max_attempts AND task = ?");
    /** {@link #CLAIM_TASK} holding each tenant to a number of processing jobs. */
    private static final String CLAIM_TASK_CAPPED = "UPDATE jobs SET state = 'processing', attempt = attempt + 1,"
            + " lease_until = ?, started_at = ?, worker = ?"
            + " WHERE id IN (" + JdbcJobRows.CAPPED_CLAIM_IDS + ")"
            + " RETURNING " + JdbcJobRows.CLAIMED_COLUMNS;

    private static final String SET_STATE = "UPDATE jobs SET state = ?, attempt = ?, result = ?, error = ?,"
            + " run_at = coalesce(?, run_at), finished_at = ?, lease_until = NULL"
            // fencing: only a job still in the expected state under the expected claim moves
            + " WHERE id = ? AND state = ? AND attempt = ?";

    private static final String REPLACE_FIELDS = "UPDATE jobs SET input = ?, metadata = ?, result = ?, error = ?"
            + " WHERE id = ? AND input = ? AND metadata IS ? AND result IS ? AND error IS ?";

    private static final String RENEW = "UPDATE jobs SET lease_until = ?"
            + " WHERE id = ? AND state = 'processing' AND attempt = ?";

    private static final String LIST_STUCK = "SELECT " + JdbcJobRows.COLUMNS + " FROM jobs"
            + " WHERE state = 'processing' AND lease_until < ? LIMIT ?";

    private static final String LIST_PAST_DEADLINE = "SELECT " + JdbcJobRows.COLUMNS + " FROM jobs"
            + " WHERE state = 'pending' AND deadline IS NOT NULL AND deadline <= ? LIMIT ?";

    private final Path file;
    private final String url;
    private final SQLiteConfig writerConfig;
    /** The write connection, replaced after a failed write (guarded by the write lock). */
    private Connection writer;
    /** Why the last write failed, while no write has succeeded since; null when writes work. */
    private volatile String writeFailure;
    private static final JdbcAttachments ATTACHMENTS = new JdbcAttachments("?");
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Attachment chunks, each written in a transaction of its own. */
    private final JdbcAttachments.Transactions writes = new JdbcAttachments.Transactions() {
        @Override
        public <T> T inTransaction(String what, JdbcAttachments.Work<T> work) {
            return write(what, c -> work.run(c.connection));
        }
    };
    private final JdbcAttachments.Transactions reads = new JdbcAttachments.Transactions() {
        @Override
        public <T> T inTransaction(String what, JdbcAttachments.Work<T> work) {
            return read(what, c -> work.run(c.connection));
        }
    };
    private final BlockingQueue<Session> readers;
    private final List<Session> allReaders = new ArrayList<>();
    private Session writeSession;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final SchemaMigration migration;
    private volatile boolean closed;

    private SqliteJobStore(Path file, Durability durability, int readConnections, Consumer<SQLiteConfig> writerTuning)
            throws SQLException, IOException {
        this.file = file;
        var parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.lockChannel = FileChannel.open(Path.of(file + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new StoreInUseException("the store " + file + " is in use by another Spillway process");
        }
        this.fileLock = lock;
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        try {
            var wc = new SQLiteConfig();
            wc.setJournalMode(SQLiteConfig.JournalMode.WAL);
            wc.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(durability.synchronous()));
            wc.setBusyTimeout(10_000);
            wc.setTempStore(SQLiteConfig.TempStore.MEMORY);
            wc.setCacheSize(-32_768); // 32 MiB page cache for the writer
            writerTuning.accept(wc);
            this.writerConfig = wc;
            this.writer = wc.createConnection(url);
            this.migration = Migrations.apply(writer);
            writer.setAutoCommit(false);
            this.writeSession = new Session(writer);
            this.readers = new ArrayBlockingQueue<>(readConnections);
            for (int i = 0; i < readConnections; i++) {
                var rc = new SQLiteConfig();
                rc.setBusyTimeout(10_000);
                rc.setCacheSize(-8_192);
                var session = new Session(rc.createConnection(url));
                allReaders.add(session);
                readers.add(session);
            }
        } catch (SQLException | RuntimeException e) {
            releaseFileLock();
            throw e;
        }
    }

    /**
     * Opens (creating if needed) the store in {@code file}, migrating its schema.
     *
     * @throws StoreException when the file cannot be opened, is locked by another process, or
     *                        has a newer schema
     */
    public static SqliteJobStore open(Path file, Durability durability) {
        return open(file, durability, 4);
    }

    public static SqliteJobStore open(Path file, Durability durability, int readConnections) {
        return open(file, durability, readConnections, config -> { });
    }

    /** As {@link #open(Path, Durability, int)}, with the write connection's settings adjusted (for tests). */
    static SqliteJobStore open(Path file, Durability durability, int readConnections, Consumer<SQLiteConfig> writerTuning) {
        try {
            return new SqliteJobStore(file, durability, readConnections, writerTuning);
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot open the SQLite store " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** What opening this store did to its schema. */
    public SchemaMigration migration() {
        return migration;
    }

    @Override
    public List<InsertResult> jobInsertMany(InsertParams params) {
        // one writer at a time: the count and the insert see no other insert between them
        return write("insert", c -> params.limited()
                ? InsertLimits.apply(params, JdbcJobRows.limitCounts(c.connection, null), p -> insertAll(c, p))
                : insertAll(c, params));
    }

    private List<InsertResult> insertAll(Session c, InsertParams params) throws SQLException {
        var jobs = params.jobs();
        var results = new ArrayList<InsertResult>(jobs.size());
        long now = params.now().toEpochMilli();
        var ps = c.prepare(INSERT);
        for (int i = 0; i < jobs.size(); i++) {
            NewJob j = jobs.get(i);
            ps.setString(1, j.id());
            ps.setString(2, j.tenant());
            ps.setString(3, j.task());
            ps.setInt(4, j.priority().rank());
            ps.setString(5, j.input().json());
            ps.setString(6, j.metadata());
            ps.setInt(7, j.maxAttempts());
            ps.setLong(8, now);
            ps.setLong(9, now);
            JdbcJobRows.setMillis(ps, 10, j.deadline());
            ps.setString(11, j.idempotencyKey());
            ps.setString(12, j.requestHash());
            ps.setString(13, j.traceparent());
            ps.setLong(14, params.queueKeys().get(i));
            ps.setLong(15, j.reservation());
            ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        for (int i = 0; i < jobs.size(); i++) {
            NewJob j = jobs.get(i);
            if (counts[i] == 1) {
                results.add(new InsertResult(JdbcJobRows.inserted(j, params.now()), true));
            } else if (j.idempotencyKey() != null) {
                var lookup = c.prepare("SELECT " + JdbcJobRows.COLUMNS + " FROM jobs WHERE tenant = ? AND idempotency_key = ?");
                lookup.setString(1, j.tenant());
                lookup.setString(2, j.idempotencyKey());
                var existing = JdbcJobRows.one(lookup).orElseThrow(() -> new StoreException(
                        "insert of " + j.id() + " conflicted but no job holds its idempotency key"));
                results.add(new InsertResult(existing, false));
            } else {
                throw new StoreException("job id " + j.id() + " already exists");
            }
        }
        return results;
    }

    @Override
    public List<Job> jobClaim(ClaimParams params) {
        var sql = params.task() == null ? CLAIM : params.maxRunningPerTenant() > 0 ? CLAIM_TASK_CAPPED : CLAIM_TASK;
        return write("claim", c -> JdbcJobRows.claim(c.prepare(sql), params));
    }

    @Override
    public List<Boolean> jobSetStateMany(StateChangeParams params) {
        return write("set state", c -> {
            long now = params.now().toEpochMilli();
            var ps = c.prepare(SET_STATE);
            for (StateChange f : params.changes()) {
                ps.setString(1, f.to().wireName());
                ps.setInt(2, f.attemptAfter());
                ps.setString(3, f.result());
                ps.setString(4, f.error());
                JdbcJobRows.setMillis(ps, 5, f.runAt());
                if (f.isTerminal()) {
                    ps.setLong(6, now);
                } else {
                    ps.setNull(6, Types.INTEGER);
                }
                ps.setString(7, f.ref().id());
                ps.setString(8, f.from().wireName());
                ps.setInt(9, f.ref().attempt());
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            var applied = new ArrayList<Boolean>(counts.length);
            for (int n : counts) {
                applied.add(n == 1);
            }
            // one writer: a single shard
            var usage = StateChange.usagesApplied(params.changes(), applied);
            if (!usage.isEmpty()) {
                JdbcUsage.add(c.prepare(JdbcUsage.ADD), UsageRow.sum(Budget.day(params.now()), usage), 0);
            }
            return applied;
        });
    }

    @Override
    public List<JobRef> jobLeaseRenew(LeaseRenewParams params) {
        return write("renew", c -> {
            var ps = c.prepare(RENEW);
            for (JobRef r : params.refs()) {
                ps.setLong(1, params.leaseUntil().toEpochMilli());
                ps.setString(2, r.id());
                ps.setInt(3, r.attempt());
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            var renewed = new ArrayList<JobRef>(counts.length);
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 1) {
                    renewed.add(params.refs().get(i));
                }
            }
            return renewed;
        });
    }

    @Override
    public List<Job> jobListStuck(StuckParams params) {
        return read("list stuck", c -> {
            var ps = c.prepare(LIST_STUCK);
            ps.setLong(1, params.leaseExpiredBefore().equals(Instant.MAX) ? Long.MAX_VALUE
                    : params.leaseExpiredBefore().toEpochMilli());
            ps.setInt(2, params.limit());
            return JdbcJobRows.many(ps);
        });
    }

    @Override
    public List<Job> jobListPastDeadline(PastDeadlineParams params) {
        return read("list past deadline", c -> {
            var ps = c.prepare(LIST_PAST_DEADLINE);
            ps.setLong(1, params.now().toEpochMilli());
            ps.setInt(2, params.limit());
            return JdbcJobRows.many(ps);
        });
    }

    /**
     * This machine's clock made monotonic, starting no earlier than the newest job in the file:
     * after the clock steps back across a restart, new jobs still sort after the old ones.
     */
    @Override
    public InstantSource clock() {
        var newest = read("clock", c -> {
            // the newest id carries the newest creation time, and the primary key finds it at once
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT id FROM jobs ORDER BY id DESC LIMIT 1")) {
                return rs.next() ? JobIds.timeOf(rs.getString(1)).plusMillis(1) : Instant.EPOCH;
            }
        });
        return MonotonicClock.startingAt(newest);
    }

    @Override
    public Optional<Job> jobGet(String tenant, String id) {
        return read("get", c -> {
            var ps = c.prepare(JdbcJobRows.getSql(tenant, "?"));
            ps.setString(1, id);
            if (!tenant.equals(ANY_TENANT)) {
                ps.setString(2, tenant);
            }
            return JdbcJobRows.one(ps);
        });
    }

    @Override
    public int jobFieldsReplace(List<FieldsReplacement> replacements) {
        return write("replace fields", c -> JdbcJobRows.replaceFields(c.connection, REPLACE_FIELDS, replacements, id -> id));
    }

    @Override
    public void keyInsert(ApiKey key) {
        write("insert key", c -> {
            JdbcKeys.insert(c.connection, key);
            return null;
        });
    }

    @Override
    public Optional<ApiKey> keyGet(String id) {
        return read("get key", c -> JdbcKeys.get(c.connection, id));
    }

    @Override
    public List<ApiKey> keyList() {
        return read("list keys", c -> JdbcKeys.list(c.connection));
    }

    @Override
    public boolean keyRevoke(String id, Instant at) {
        return write("revoke key", c -> JdbcKeys.revoke(c.connection, id, at));
    }

    @Override
    public boolean keyExists() {
        return read("find keys", c -> JdbcKeys.exists(c.connection));
    }

    @Override
    public JobPage jobList(ListParams params) {
        var sql = JdbcJobRows.listSql(params, "?");
        return read("list", c -> JdbcJobRows.listPage(c.prepare(sql), params));
    }

    @Override
    public List<UsageRow> usageList(String tenant, LocalDate from, LocalDate to) {
        return read("usage", c -> JdbcUsage.list(c.connection, tenant, from, to));
    }

    @Override
    public long costReserved(String tenant) {
        return read("reserved", c -> JdbcUsage.reserved(c.connection, tenant));
    }

    @Override
    public long jobCountPending() {
        return read("count", c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM jobs WHERE state = 'pending'")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public long jobCountFailed() {
        return read("count failed", c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery(JdbcJobRows.COUNT_FAILED)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public List<QueueStats.Depth> jobQueueDepth() {
        return read("depth", c -> JdbcJobRows.queueDepth(c.connection));
    }

    @Override
    public List<QueueStats.Front> jobQueueFront(Instant now) {
        return read("front", c -> JdbcJobRows.queueFront(c.connection, now));
    }

    @Override
    public void jobQueueFrontPublish(List<QueueStats.Front> fronts) {
        write("publish fronts", c -> {
            JdbcJobRows.publishFronts(c.connection, "INSERT INTO queue_fronts (task, priority, front_key) VALUES (?, ?, ?)"
                    + " ON CONFLICT (task, priority) DO UPDATE SET front_key = max(front_key, excluded.front_key)", fronts);
            return null;
        });
    }

    @Override
    public List<QueueStats.Activity> jobTaskActivity(Instant since) {
        return read("activity", c -> JdbcJobRows.taskActivity(c.connection, since));
    }

    @Override
    public QueueStats jobQueueStats(Instant now) {
        return read("stats", c -> JdbcJobRows.queueStats(c.connection, now));
    }

    @Override
    public int jobDeleteFinished(Instant finishedBefore, int limit) {
        return write("delete", c -> {
            var ps = c.prepare("DELETE FROM jobs WHERE id IN (SELECT id FROM jobs"
                    // the literal predicate lets the planner use the partial index jobs_finished
                    + " WHERE finished_at IS NOT NULL AND finished_at < ? ORDER BY finished_at LIMIT ?) RETURNING id");
            ps.setLong(1, finishedBefore.toEpochMilli());
            ps.setInt(2, limit);
            var ids = new ArrayList<String>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            for (var id : ids) {
                ATTACHMENTS.deleteAll(c.connection, id);
            }
            return ids.size();
        });
    }

    @Override
    public Attachment attachmentWrite(String jobId, String name, String filename, InputStream in, Instant now)
            throws IOException {
        return ATTACHMENTS.write(writes, jobId, name, filename, in, now);
    }

    @Override
    public List<Attachment> attachmentPage(String afterJobId, String afterName, int limit) {
        return read("attachment page", c -> ATTACHMENTS.page(c.connection, afterJobId, afterName, limit));
    }

    @Override
    public boolean attachmentHeadReplace(Attachment attachment, byte[] before, byte[] after) {
        return write("attachment head", c -> ATTACHMENTS.headReplace(c.connection, attachment, before, after));
    }

    @Override
    public Optional<Attachment> attachmentGet(String jobId, String name) {
        return read("attachment get", c -> ATTACHMENTS.get(c.connection, jobId, name));
    }

    @Override
    public InputStream attachmentRead(Attachment attachment) {
        return ATTACHMENTS.read(reads, attachment);
    }

    @Override
    public void attachmentDelete(String jobId, String name) {
        write("attachment delete", c -> {
            ATTACHMENTS.deleteNamed(c.connection, jobId, name);
            return null;
        });
    }

    @Override
    public void attachmentDeleteAll(String jobId) {
        write("attachment delete", c -> {
            ATTACHMENTS.deleteAll(c.connection, jobId);
            return null;
        });
    }

    @Override
    public int attachmentDeleteOrphans(Instant writtenBefore) {
        return write("attachment sweep", c -> ATTACHMENTS.deleteOrphans(c.connection, writtenBefore));
    }

    /**
     * Reads, and while the last write failed (a full disk, an I/O error), tries a write too, so
     * readiness says the store cannot write until it can again, and the first success clears it.
     */
    @Override
    public void ping() {
        read("ping", c -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT 1 FROM schema_version LIMIT 1")) {
                return rs.next();
            }
        });
        if (writeFailure != null) {
            // a write that needs new pages, as the failed one did, and leaves nothing behind
            write("write probe", c -> {
                try (var st = c.createStatement()) {
                    st.executeUpdate("INSERT INTO attachment_chunks (job_id, name, seq, data, written_at)"
                            + " VALUES ('write-probe', 'write-probe', 0, zeroblob(65536), 0)");
                    return st.executeUpdate("DELETE FROM attachment_chunks WHERE job_id = 'write-probe'");
                }
            });
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writeLock.lock();
        try {
            try (var st = writer.createStatement()) {
                writer.commit();
                writer.setAutoCommit(true);
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException ignored) {
                // best effort: the WAL is replayed at the next open
            }
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
        for (var session : allReaders) {
            closeQuietly(session.connection);
        }
        releaseFileLock();
    }

    private void releaseFileLock() {
        try {
            fileLock.release();
            lockChannel.close();
        } catch (IOException | RuntimeException ignored) {
            // the OS releases the lock when the process exits
        }
    }

    /**
     * A connection with its prepared statements, kept for reuse: preparing (parsing and
     * planning) a statement costs more than running it for a small batch. Used by one thread at
     * a time (the write lock, or a reader taken from the pool).
     */
    private static final class Session {
        final Connection connection;
        private final HashMap<String, PreparedStatement> statements = new HashMap<>();

        Session(Connection connection) {
            this.connection = connection;
        }

        PreparedStatement prepare(String sql) throws SQLException {
            var ps = statements.get(sql);
            if (ps == null) {
                ps = connection.prepareStatement(sql);
                statements.put(sql, ps);
            } else {
                ps.clearParameters();
            }
            return ps;
        }

        Statement createStatement() throws SQLException {
            return connection.createStatement();
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Session c) throws SQLException;
    }

    private <T> T write(String what, SqlWork<T> work) {
        writeLock.lock();
        try {
            ensureOpen();
            try {
                T result = work.run(writeSession);
                writer.commit();
                writeFailure = null;
                return result;
            } catch (SQLException e) {
                // SQLite may have rolled the transaction back itself (a full disk, an I/O error) and
                // the driver not know it: a fresh connection guarantees the next write is atomic
                // again, and that this one left nothing behind
                reopenWriter(e);
                writeFailure = e.getMessage();
                throw new StoreException("SQLite " + what + " failed on " + file + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                try {
                    writer.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                    reopenWriter(suppressed);
                }
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Replaces the write connection after a failure; rolls back what it can first. */
    private void reopenWriter(Exception cause) {
        try {
            writer.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
        closeQuietly(writer);
        try {
            writer = writerConfig.createConnection(url);
            writer.setAutoCommit(false);
            writeSession = new Session(writer);
        } catch (SQLException e) {
            cause.addSuppressed(e);
            log.warn("could not reopen the write connection to {} (the next write tries again): {}", file, e.toString());
        }
    }

    private <T> T read(String what, SqlWork<T> work) {
        ensureOpen();
        Session c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a read connection");
        }
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("SQLite " + what + " failed on " + file + ": " + e.getMessage(), e);
        } finally {
            readers.add(c);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException("the store " + file + " is closed");
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing
        }
    }
}
