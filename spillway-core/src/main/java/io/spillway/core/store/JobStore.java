package io.spillway.core.store;

import io.spillway.core.Job;
import io.spillway.core.JobRef;
import io.spillway.core.NewJob;
import io.spillway.core.keys.KeyStore;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable home of jobs: the port every store implements, and which the contract suite in
 * {@code spillway-store-testkit} checks.
 *
 * <p>Methods are named noun-then-verb and take one params record that carries {@code now}, so
 * stores never read a clock. Every method that changes jobs is one transaction: when it returns,
 * its effect is durable to the degree the store is configured for; when it throws
 * {@link StoreException}, nothing of it happened. Implementations are thread-safe.
 *
 * <p>Stores decide nothing about the lifecycle: {@link io.spillway.core.Lifecycle} decides every
 * state change (and its error text), and the store applies it with {@link #jobSetStateMany},
 * fenced by the state it expects and {@link JobRef#attempt()}: a write from a claim that has
 * since expired or been rescued, or for a job that moved meanwhile, changes nothing.
 */
public interface JobStore extends KeyStore, AutoCloseable {

    /**
     * As the tenant of {@link #jobGet} or {@link ListParams}: any tenant (an admin's reads). No
     * tenant is named so ({@link io.spillway.core.keys.ApiKeys#checkTenant}).
     */
    String ANY_TENANT = "*";

    /** Inserts new jobs as pending; a repeated (tenant, idempotency key) resolves to the existing job. */
    List<InsertResult> jobInsertMany(InsertParams params);

    /**
     * Claims runnable jobs; see {@link ClaimParams}. Returns them in claim order, with what a
     * handler needs: a store may leave {@code idempotencyKey} and {@code requestHash} null.
     */
    List<Job> jobClaim(ClaimParams params);

    /**
     * Applies fenced state changes. Returns, in input order, whether each applied; a {@code false}
     * means the job was no longer in the expected state under the expected attempt (a stale
     * claim, or a job that another process moved first).
     */
    List<Boolean> jobSetStateMany(StateChangeParams params);

    /** Extends leases; returns the refs whose lease was extended (the others are stale). */
    List<JobRef> jobLeaseRenew(LeaseRenewParams params);

    /** Processing jobs whose lease expired (their worker went away), for the rescuer to decide on. */
    List<Job> jobListStuck(StuckParams params);

    /** Pending jobs whose deadline passed, for expiry. */
    List<Job> jobListPastDeadline(PastDeadlineParams params);

    /** The tenant's job ({@link #ANY_TENANT}: anyone's), or empty. */
    Optional<Job> jobGet(String tenant, String id);

    /** A page of the tenant's jobs ({@link #ANY_TENANT}: everyone's), newest first. */
    JobPage jobList(ListParams params);

    /** Number of pending jobs (all tenants), for health and admission. */
    long jobCountPending();

    /**
     * Number of failed jobs the store holds (all tenants, every process's), until retention
     * deletes them; an index keeps the count proportional to the failed jobs, not the table.
     */
    long jobCountFailed();

    /** Pending jobs by task and priority (all tenants); costs a scan of the pending jobs. */
    List<QueueStats.Depth> jobQueueDepth();

    /**
     * Per task (all tenants), the jobs processing now and those that ended at or after
     * {@code since}: with {@link #jobQueueDepth()}, how fast each task drains. Tasks with neither
     * are left out.
     */
    List<QueueStats.Activity> jobTaskActivity(Instant since);

    /**
     * Per task and priority (all tenants), the smallest queue key among the jobs that could be
     * claimed at {@code now}: where each queue stands, which the scheduler keys new jobs from.
     * Pairs with no such job are left out. Costs a scan of the pending jobs.
     */
    List<QueueStats.Front> jobQueueFront(Instant now);

    /**
     * Records where the scheduler keys new jobs of each task and priority (a front only moves
     * forward), for writers that key jobs without it ({@code JdbcJobInserter}).
     */
    void jobQueueFrontPublish(List<QueueStats.Front> fronts);

    /** Queue depth and the age of the oldest runnable job at {@code now} (all tenants). */
    QueueStats jobQueueStats(Instant now);

    /**
     * Replaces jobs' stored input, metadata, result and error where each job still holds the
     * replacement's {@code before} (re-encryption under a new master key; nothing else changes, and
     * a job that moved meanwhile is left as it is). Returns how many were replaced.
     */
    int jobFieldsReplace(List<FieldsReplacement> replacements);

    /**
     * What the tenant's ({@link #ANY_TENANT}: every tenant's) jobs completed from {@code from} to
     * {@code to} (UTC days, both included) used: a row per tenant, day, task and model, in that order.
     */
    List<UsageRow> usageList(String tenant, java.time.LocalDate from, java.time.LocalDate to);

    /** What the tenant's pending and running jobs reserve of its budget now, in nanos of a price unit. */
    long costReserved(String tenant);

    /** Throws {@link StoreException} when the store cannot serve reads and writes. */
    void ping();

    /**
     * Deletes up to {@code limit} terminal jobs that finished before {@code finishedBefore}, with
     * their attachments; returns how many jobs. Retention runs this in small batches so the table
     * stays small.
     */
    int jobDeleteFinished(Instant finishedBefore, int limit);

    /**
     * Stores the bytes of {@code in} as the job's attachment {@code name} (replacing one of that
     * name), chunk by chunk: each chunk is its own short transaction, so a slow upload never holds
     * the store, and the attachment becomes visible only when its last chunk is in. The job need
     * not exist yet. When {@code in} throws, nothing of the attachment is left and the exception
     * propagates.
     *
     * @param filename what the client called it, or null
     * @return the stored attachment
     */
    Attachment attachmentWrite(String jobId, String name, String filename, InputStream in, Instant now)
            throws IOException;

    /** The job's attachment {@code name}, if it was completely written. */
    Optional<Attachment> attachmentGet(String jobId, String name);

    /**
     * The bytes of an attachment, read a chunk at a time as the stream is consumed.
     *
     * @throws StoreException when it is gone (deleted meanwhile)
     */
    InputStream attachmentRead(Attachment attachment);

    /**
     * Up to {@code limit} complete attachments after ({@code afterJobId}, {@code afterName}), in that
     * order ({@code afterJobId} null: from the first), for work over all of them (re-wrapping).
     */
    List<Attachment> attachmentPage(String afterJobId, String afterName, int limit);

    /**
     * Replaces the first {@code before.length} bytes of the attachment with {@code after} (as many)
     * where they still are {@code before}, in one transaction; whether it did (a re-wrapped header).
     */
    boolean attachmentHeadReplace(Attachment attachment, byte[] before, byte[] after);

    /** Deletes the job's attachment {@code name}, if there is one. */
    void attachmentDelete(String jobId, String name);

    /** Deletes every attachment of the job (an upload whose job was not created). */
    void attachmentDeleteAll(String jobId);

    /**
     * Deletes attachments, complete or not, written before {@code writtenBefore} whose job does not
     * exist (never created, or deleted); returns how many chunks and attachments went.
     */
    int attachmentDeleteOrphans(Instant writtenBefore);

    /**
     * Row counts of the store's job table as the database sees them ({@code live_rows},
     * {@code dead_rows}), where it can tell; empty otherwise.
     */
    default Map<String, Long> tableRows() {
        return Map.of();
    }

    /**
     * A new job as this store will insert it, made on the submitting thread before the job waits
     * for its group commit: an encrypting store seals its fields here, in parallel, instead of on
     * the one thread that commits. {@link #jobInsertMany} takes prepared jobs and unprepared ones
     * alike. The default is the job itself.
     */
    default NewJob jobPrepare(NewJob job) {
        return job;
    }

    /** Events from other processes sharing this store; none for a store only this process uses. */
    default Optional<JobEvents> events() {
        return Optional.empty();
    }

    /**
     * The clock every process using this store should take its times from (claims, leases,
     * retries, ids): it never steps back and is shared by all processes on one store, so a clock
     * step on one machine cannot expire a healthy lease or reorder jobs. The default is this
     * machine's clock made monotonic.
     */
    default InstantSource clock() {
        return MonotonicClock.startingAt(Instant.EPOCH);
    }

    @Override
    void close();
}
