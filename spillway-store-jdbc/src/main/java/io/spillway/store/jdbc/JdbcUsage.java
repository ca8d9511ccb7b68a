package io.spillway.store.jdbc;

import io.spillway.core.store.JobStore;
import io.spillway.core.store.UsageRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the SQL stores keep of usage and budgets: {@code jobs.reserved} (what a pending or running
 * job holds of its tenant's budget, in nanos of a price unit; a job that ends holds nothing, so
 * every way a job ends releases it in the transaction that ends it) and {@code usage_days} (what
 * completed jobs used, per tenant, UTC day, task, model and shard, added to in the completion's
 * transaction). A process adds to its own shard, so completions of many processes never wait on
 * one another's rows.
 */
public final class JdbcUsage {
    /** The upsert {@link #add(PreparedStatement, List, int)} binds, for a store that caches its statements. */
    public static final String ADD = "INSERT INTO usage_days (tenant, day, task, model, shard, jobs, input_tokens,"
            + " output_tokens, tokens, compute_ms, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (tenant, day, task, model, shard) DO UPDATE SET jobs = usage_days.jobs + excluded.jobs,"
            + " input_tokens = usage_days.input_tokens + excluded.input_tokens,"
            + " output_tokens = usage_days.output_tokens + excluded.output_tokens,"
            + " tokens = usage_days.tokens + excluded.tokens, compute_ms = usage_days.compute_ms + excluded.compute_ms,"
            + " cost = usage_days.cost + excluded.cost";

    /** Reserved and spent as of one statement, so a job completing meanwhile is counted once. */
    private static final String BUDGET_USED = "SELECT (SELECT coalesce(sum(reserved), 0) FROM jobs"
            + "   WHERE tenant = ? AND state IN ('pending', 'processing'))"
            + " + (SELECT coalesce(sum(cost), 0) FROM usage_days WHERE tenant = ? AND day >= ?)";

    private static final String RESERVED = "SELECT coalesce(sum(reserved), 0) FROM jobs"
            + " WHERE tenant = ? AND state IN ('pending', 'processing')";

    private JdbcUsage() {
    }

    /** Adds completed jobs' usage ({@link UsageRow#sum}) to the rows of {@code shard}, in key order (no deadlock). */
    public static void add(Connection c, List<UsageRow> rows, int shard) throws SQLException {
        if (!rows.isEmpty()) {
            try (var ps = c.prepareStatement(ADD)) {
                add(ps, rows, shard);
            }
        }
    }

    /** {@link #add(Connection, List, int)} with the store's own statement of {@link #ADD}, left open. */
    public static void add(PreparedStatement ps, List<UsageRow> rows, int shard) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        var sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(UsageRow::tenant).thenComparing(UsageRow::day).thenComparing(UsageRow::task)
                .thenComparing(UsageRow::model));
        for (var r : sorted) {
            ps.setString(1, r.tenant());
            ps.setString(2, r.day().toString());
            ps.setString(3, r.task());
            ps.setString(4, r.model());
            ps.setInt(5, shard);
            ps.setLong(6, r.jobs());
            ps.setLong(7, r.inputTokens());
            ps.setLong(8, r.outputTokens());
            ps.setLong(9, r.tokens());
            ps.setLong(10, r.computeMs());
            ps.setLong(11, r.costNanos());
            ps.addBatch();
        }
        ps.executeBatch();
    }

    /** What the tenant's budget has used since {@code since}: reserved by its live jobs plus spent by its completed ones. */
    public static long budgetUsed(Connection c, String tenant, LocalDate since) throws SQLException {
        try (var ps = c.prepareStatement(BUDGET_USED)) {
            ps.setString(1, tenant);
            ps.setString(2, tenant);
            ps.setString(3, since.toString());
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** What the tenant's pending and running jobs reserve. */
    public static long reserved(Connection c, String tenant) throws SQLException {
        try (var ps = c.prepareStatement(RESERVED)) {
            ps.setString(1, tenant);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The usage rows of the tenant ({@link JobStore#ANY_TENANT}: all) from {@code from} to {@code to}, shards summed. */
    public static List<UsageRow> list(Connection c, String tenant, LocalDate from, LocalDate to) throws SQLException {
        boolean any = tenant.equals(JobStore.ANY_TENANT);
        var sql = "SELECT tenant, day, task, model, sum(jobs), sum(input_tokens), sum(output_tokens), sum(tokens),"
                + " sum(compute_ms), sum(cost) FROM usage_days WHERE day >= ? AND day <= ?" + (any ? "" : " AND tenant = ?")
                + " GROUP BY tenant, day, task, model ORDER BY tenant, day, task, model";
        try (var ps = c.prepareStatement(sql)) {
            ps.setString(1, from.toString());
            ps.setString(2, to.toString());
            if (!any) {
                ps.setString(3, tenant);
            }
            var out = new ArrayList<UsageRow>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new UsageRow(rs.getString(1), LocalDate.parse(rs.getString(2)), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10)));
                }
            }
            return out;
        }
    }
}
