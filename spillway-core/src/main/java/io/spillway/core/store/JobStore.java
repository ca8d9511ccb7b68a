package io.spillway.core.store;

import io.spillway.core.Job;
import io.spillway.core.JobRef;
import java.util.List;
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
 * <p>Transitions out of processing are fenced by {@link JobRef#attempt()}: a write from a claim
 * that has since expired or been rescued changes nothing.
 */
public interface JobStore extends AutoCloseable {

    /** Inserts new jobs as pending; a repeated (tenant, idempotency key) resolves to the existing job. */
    List<InsertResult> jobInsertMany(InsertParams params);

    /**
     * Claims runnable jobs; see {@link ClaimParams}. Returns them in claim order, with what a
     * handler needs: a store may leave {@code idempotencyKey} and {@code requestHash} null.
     */
    List<Job> jobClaim(ClaimParams params);

    /**
     * Applies fenced transitions. Returns, in input order, whether each applied; a {@code false}
     * means the claim was stale (lease expired and rescued, or job no longer processing).
     */
    List<Boolean> jobFinishMany(FinishParams params);

    /** Extends leases; returns the refs whose lease was extended (the others are stale). */
    List<JobRef> jobLeaseRenew(LeaseRenewParams params);

    /** Recovers jobs whose lease expired; returns them in their new state. */
    List<Job> jobRescue(RescueParams params);

    /** Expires pending jobs past their deadline; returns them in their new state. */
    List<Job> jobExpire(ExpireParams params);

    /**
     * Cancels a pending job. Returns the job after the attempt: cancelled when it was pending,
     * unchanged in any other state; empty when the tenant has no such job.
     */
    Optional<Job> jobCancel(CancelParams params);

    /** The tenant's job, or empty. */
    Optional<Job> jobGet(String tenant, String id);

    /** A page of the tenant's jobs, newest first. */
    JobPage jobList(ListParams params);

    /** Number of pending jobs (all tenants), for health and admission. */
    long jobCountPending();

    /** Pending jobs by task and priority (all tenants); costs a scan of the pending jobs. */
    List<QueueStats.Depth> jobQueueDepth();

    /** Queue depth and the age of the oldest runnable job at {@code now} (all tenants). */
    QueueStats jobQueueStats(java.time.Instant now);

    /** Throws {@link StoreException} when the store cannot serve reads and writes. */
    void ping();

    /**
     * Deletes up to {@code limit} terminal jobs that finished before {@code finishedBefore};
     * returns how many. Retention runs this in small batches so the table stays small.
     */
    int jobDeleteFinished(java.time.Instant finishedBefore, int limit);

    /**
     * Row counts of the store's job table as the database sees them ({@code live_rows},
     * {@code dead_rows}), where it can tell; empty otherwise.
     */
    default java.util.Map<String, Long> tableRows() {
        return java.util.Map.of();
    }

    /** Events from other processes sharing this store; none for a store only this process uses. */
    default java.util.Optional<JobEvents> events() {
        return java.util.Optional.empty();
    }

    @Override
    void close();
}
