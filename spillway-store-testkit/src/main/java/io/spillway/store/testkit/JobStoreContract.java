package io.spillway.store.testkit;

import static io.spillway.store.testkit.NewJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.Job;
import io.spillway.core.JobRef;
import io.spillway.core.JobState;
import io.spillway.core.Lifecycle;
import io.spillway.core.NewJob;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.ApiKeys;
import io.spillway.core.keys.KeyScope;
import io.spillway.core.store.Attachment;
import io.spillway.core.store.Budget;
import io.spillway.core.store.Budgets;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.FieldsReplacement;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.InsertResult;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.JobUsage;
import io.spillway.core.store.LeaseRenewParams;
import io.spillway.core.store.ListParams;
import io.spillway.core.store.PastDeadlineParams;
import io.spillway.core.store.QueueStats;
import io.spillway.core.store.StateChange;
import io.spillway.core.store.StateChangeParams;
import io.spillway.core.store.StoreException;
import io.spillway.core.store.StuckParams;
import io.spillway.core.store.UsageRow;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link JobStore} passes. A store's test extends this class and opens a
 * fresh, empty store in {@link #openStore()} (its own file or schema per test). Time is given
 * explicitly: nothing here sleeps.
 */
public abstract class JobStoreContract {
    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);

    protected JobStore store;

    /** A new, empty store for one test. */
    protected abstract JobStore openStore() throws Exception;

    @BeforeEach
    void openFreshStore() throws Exception {
        store = openStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private List<InsertResult> insert(Instant now, NewJob... jobs) {
        return store.jobInsertMany(new InsertParams(List.of(jobs), now));
    }

    private List<Job> claim(int limit, Instant now) {
        return store.jobClaim(new ClaimParams(limit, now, now.plus(LEASE), "w1"));
    }

    private boolean apply(StateChange change, Instant now) {
        return store.jobSetStateMany(new StateChangeParams(List.of(change), now)).getFirst();
    }

    private static StateChange completed(JobRef ref, String result) {
        return new StateChange(ref, JobState.PROCESSING, JobState.COMPLETED, ref.attempt(), result, null, null);
    }

    private static StateChange failed(JobRef ref, String error) {
        return new StateChange(ref, JobState.PROCESSING, JobState.FAILED, ref.attempt(), null, error, null);
    }

    private static StateChange retry(JobRef ref, String error, Instant runAt) {
        return new StateChange(ref, JobState.PROCESSING, JobState.PENDING, ref.attempt(), null, error, runAt);
    }

    /** Lifecycle's rescue of every stuck job, applied; returns the rescued jobs as they are now. */
    private List<Job> rescue(Instant leaseExpiredBefore, Instant now) {
        var stuck = store.jobListStuck(new StuckParams(leaseExpiredBefore, 10));
        store.jobSetStateMany(new StateChangeParams(stuck.stream().map(j -> Lifecycle.rescue(j, now)).toList(), now));
        return stuck.stream().map(j -> get(j.id())).toList();
    }

    private Job get(String id) {
        return store.jobGet("default", id).orElseThrow();
    }

    @Test
    void insert_storesPendingJobWithAllFields() {
        var nj = aNewJob().input("{\"a\":[1,2]}").metadata("{\"m\":\"x\"}").priority(Priority.BATCH)
                .maxAttempts(5).deadline(T0.plusSeconds(60))
                .traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build();
        var result = insert(T0, nj).getFirst();

        assertThat(result.created()).isTrue();
        var job = get(nj.id());
        assertThat(job).isEqualTo(result.job());
        assertThat(job.state()).isEqualTo(JobState.PENDING);
        assertThat(job.input().json()).isEqualTo("{\"a\":[1,2]}");
        assertThat(job.metadata()).isEqualTo("{\"m\":\"x\"}");
        assertThat(job.priority()).isEqualTo(Priority.BATCH);
        assertThat(job.maxAttempts()).isEqualTo(5);
        assertThat(job.attempt()).isZero();
        assertThat(job.createdAt()).isEqualTo(T0);
        assertThat(job.runAt()).isEqualTo(T0);
        assertThat(job.deadline()).isEqualTo(T0.plusSeconds(60));
        assertThat(job.result()).isNull();
        assertThat(job.traceparent()).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(claim(1, T0).getFirst().traceparent()).isEqualTo(job.traceparent());
    }

    @Test
    void insert_manyInOneCallKeepsOrder() {
        var jobs = new ArrayList<NewJob>();
        for (int i = 0; i < 500; i++) {
            jobs.add(aNewJob().input("{\"i\":" + i + "}").build());
        }
        var results = store.jobInsertMany(new InsertParams(jobs, T0));

        assertThat(results).hasSize(500).allMatch(InsertResult::created);
        assertThat(results.get(42).job().id()).isEqualTo(jobs.get(42).id());
        assertThat(store.jobCountPending()).isEqualTo(500);
    }

    @Test
    void insert_sameIdempotencyKeyResolvesToTheFirstJob() {
        var first = aNewJob().idempotencyKey("k1", "h1").build();
        var again = aNewJob().idempotencyKey("k1", "h2").build();
        var sameBatchA = aNewJob().idempotencyKey("k2", "h").build();
        var sameBatchB = aNewJob().idempotencyKey("k2", "h").build();

        insert(T0, first);
        var results = insert(T0.plusSeconds(1), again, sameBatchA, sameBatchB);

        assertThat(results.get(0).created()).isFalse();
        assertThat(results.get(0).job().id()).isEqualTo(first.id());
        assertThat(results.get(0).job().requestHash()).isEqualTo("h1");
        assertThat(results.get(1).created()).isTrue();
        assertThat(results.get(2).created()).isFalse();
        assertThat(results.get(2).job().id()).isEqualTo(sameBatchA.id());
        assertThat(store.jobGet("default", again.id())).isEmpty();
    }

    @Test
    void insert_idempotencyKeysAreScopedByTenant() {
        var a = aNewJob().tenant("a").idempotencyKey("k", "h").build();
        var b = aNewJob().tenant("b").idempotencyKey("k", "h").build();

        var results = insert(T0, a, b);

        assertThat(results).allMatch(InsertResult::created);
    }

    @Test
    void get_anotherTenantsJobIsNotFound() {
        var nj = aNewJob().tenant("a").build();
        insert(T0, nj);

        assertThat(store.jobGet("b", nj.id())).isEmpty();
        assertThat(store.jobGet("a", nj.id())).isPresent();
    }

    @Test
    void getAndList_forAnyTenant_seeEveryTenantsJobs() {
        var a = aNewJob().tenant("a").build();
        var b = aNewJob().tenant("b").build();
        insert(T0, a, b);

        assertThat(store.jobGet(JobStore.ANY_TENANT, b.id())).map(Job::tenant).contains("b");
        assertThat(store.jobList(new ListParams(JobStore.ANY_TENANT, null, null, 10, null)).jobs())
                .extracting(Job::id).containsExactly(b.id(), a.id());
        assertThat(store.jobList(new ListParams("a", null, null, 10, null)).jobs()).extracting(Job::id).containsExactly(a.id());
    }

    @Test
    void keys_areKeptWithTheirHash_listedAndRevokedOnce() {
        assertThat(store.keyExists()).isFalse();
        var key = ApiKeys.generate();
        var id = ApiKeys.idOf(key).orElseThrow();
        var stored = new ApiKey(id, "acme", "ci", Set.of(KeyScope.SUBMIT, KeyScope.READ), ApiKeys.hash(key), T0,
                T0.plus(Duration.ofDays(90)), null, 50);
        store.keyInsert(stored);
        var other = new ApiKey("bbbbbbbbbbbb", "beta", "x", Set.of(KeyScope.ADMIN), ApiKeys.hash("k"), T0.plusSeconds(1),
                null, null, 0);
        store.keyInsert(other);

        assertThat(store.keyExists()).isTrue();
        assertThat(store.keyGet(id)).contains(stored);
        assertThat(ApiKeys.matches(key, store.keyGet(id).orElseThrow().hash())).isTrue();
        assertThat(store.keyList()).containsExactly(stored, other);
        assertThatThrownBy(() -> store.keyInsert(stored)).isInstanceOf(StoreException.class);

        assertThat(store.keyRevoke(id, T0.plusSeconds(5))).isTrue();
        assertThat(store.keyRevoke(id, T0.plusSeconds(6))).as("revoked before").isFalse();
        assertThat(store.keyRevoke("nosuchkeyid0", T0)).isFalse();
        assertThat(store.keyGet(id).orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(store.keyGet(id).orElseThrow().activeAt(T0.plusSeconds(6))).isFalse();
        assertThat(store.keyExists()).as("a revoked key still counts").isTrue();
    }

    @Test
    void claim_takesBestPriorityThenOldestAndSetsLease() {
        var batch = aNewJob().priority(Priority.BATCH).build();
        var standardOld = aNewJob().build();
        insert(T0, batch, standardOld);
        var standardNew = aNewJob().build();
        var interactive = aNewJob().priority(Priority.INTERACTIVE).build();
        insert(T0.plusSeconds(1), standardNew, interactive);

        var claimed = claim(3, T0.plusSeconds(2));

        assertThat(claimed).extracting(Job::id).containsExactly(interactive.id(), standardOld.id(), standardNew.id());
        assertThat(claimed).allSatisfy(j -> {
            assertThat(j.state()).isEqualTo(JobState.PROCESSING);
            assertThat(j.attempt()).isEqualTo(1);
            assertThat(j.leaseUntil()).isEqualTo(T0.plusSeconds(2).plus(LEASE));
            assertThat(j.startedAt()).isEqualTo(T0.plusSeconds(2));
        });
        assertThat(get(batch.id()).state()).isEqualTo(JobState.PENDING);
        assertThat(claim(10, T0.plusSeconds(2))).extracting(Job::id).containsExactly(batch.id());
        assertThat(claim(10, T0.plusSeconds(2))).isEmpty();
    }

    @Test
    void claim_followsTheQueueKeysGivenAtInsert_andARetryKeepsItsKey() {
        var batchFirst = aNewJob().priority(Priority.BATCH).build();
        var interactiveLast = aNewJob().priority(Priority.INTERACTIVE).build();
        var standardSecond = aNewJob().build();
        store.jobInsertMany(new InsertParams(List.of(batchFirst, interactiveLast, standardSecond), T0, List.of(10L, 30L, 20L)));

        var first = claim(1, T0).getFirst();
        assertThat(first.id()).isEqualTo(batchFirst.id());
        apply(retry(first.ref(), "boom", T0.plusSeconds(1)), T0);
        var newcomer = aNewJob().build();
        store.jobInsertMany(new InsertParams(List.of(newcomer), T0, List.of(15L)));

        assertThat(claim(1, T0)).extracting(Job::id).containsExactly(newcomer.id()); // the retry is not due yet
        assertThat(claim(2, T0.plusSeconds(1))).extracting(Job::id).containsExactly(batchFirst.id(), standardSecond.id());
        assertThat(claim(2, T0.plusSeconds(1))).extracting(Job::id).containsExactly(interactiveLast.id());
    }

    @Test
    void queueFront_isTheSmallestKeyOfAClaimableJobPerTaskAndPriority() {
        var embedNotDue = aNewJob().task("embed").build();
        store.jobInsertMany(new InsertParams(List.of(embedNotDue), T0, List.of(5L)));
        var claimed = store.jobClaim(new ClaimParams(1, T0, T0.plus(LEASE), "w1").ofTask("embed")).getFirst();
        apply(retry(claimed.ref(), "boom", T0.plusSeconds(30)), T0);
        var expired = aNewJob().task("embed").deadline(T0.plusSeconds(1)).build();
        store.jobInsertMany(new InsertParams(List.of(aNewJob().build(), aNewJob().build(),
                aNewJob().priority(Priority.BATCH).build(), aNewJob().task("embed").build(), expired), T0,
                List.of(50L, 40L, 45L, 60L, 1L)));

        assertThat(store.jobQueueFront(T0.plusSeconds(2))).containsExactlyInAnyOrder(
                new QueueStats.Front("echo", Priority.STANDARD, 40L), new QueueStats.Front("echo", Priority.BATCH, 45L),
                new QueueStats.Front("embed", Priority.STANDARD, 60L));
        assertThat(store.jobQueueFront(T0.plusSeconds(30))).contains(new QueueStats.Front("embed", Priority.STANDARD, 5L));
    }

    @Test
    void claim_withATenantCap_holdsEachTenantToItsRunningJobsOfEveryTask() {
        store.jobInsertMany(new InsertParams(List.of(aNewJob().tenant("a").task("embed").build()), T0, List.of(0L)));
        store.jobClaim(new ClaimParams(1, T0, T0.plus(LEASE), "w1").ofTask("embed")); // a runs one embed job
        var a = List.of(aNewJob().tenant("a").build(), aNewJob().tenant("a").build(), aNewJob().tenant("a").build());
        var b = List.of(aNewJob().tenant("b").build(), aNewJob().tenant("b").build(), aNewJob().tenant("b").build());
        store.jobInsertMany(new InsertParams(List.of(a.get(0), a.get(1), a.get(2), b.get(0), b.get(1), b.get(2)), T0,
                List.of(1L, 2L, 3L, 4L, 5L, 6L)));
        var capped = new ClaimParams(10, T0, T0.plus(LEASE), "w1").ofTask("echo").withTenantCap(2);

        var claimed = store.jobClaim(capped);

        assertThat(claimed).extracting(Job::id).containsExactly(a.get(0).id(), b.get(0).id(), b.get(1).id());
        assertThat(store.jobClaim(capped)).isEmpty();
        apply(completed(claimed.getFirst().ref(), "{}"), T0);
        assertThat(store.jobClaim(capped)).extracting(Job::id).containsExactly(a.get(1).id());
    }

    @Test
    void claim_ofATask_takesOnlyThatTasksJobsInTheSameOrder() {
        var slowBatch = aNewJob().task("summarize").priority(Priority.BATCH).build();
        var slow = aNewJob().task("summarize").build();
        var fast = aNewJob().task("embed").build();
        var fastInteractive = aNewJob().task("embed").priority(Priority.INTERACTIVE).build();
        insert(T0, slowBatch, slow, fast, fastInteractive);

        var claimed = store.jobClaim(new ClaimParams(10, T0, T0.plus(LEASE), "w1").ofTask("embed"));

        assertThat(claimed).extracting(Job::id).containsExactly(fastInteractive.id(), fast.id());
        assertThat(get(slow.id()).state()).isEqualTo(JobState.PENDING);
        assertThat(store.jobClaim(new ClaimParams(1, T0, T0.plus(LEASE), "w1").ofTask("summarize")))
                .extracting(Job::id).containsExactly(slow.id());
        assertThat(store.jobClaim(new ClaimParams(10, T0, T0.plus(LEASE), "w1").ofTask("embed"))).isEmpty();
    }

    @Test
    void claim_skipsJobsNotYetDueAndJobsPastTheirDeadline() {
        var nj = aNewJob().build();
        var late = aNewJob().deadline(T0.plusSeconds(5)).build();
        insert(T0, nj, late);
        var job = claim(1, T0).getFirst();
        assertThat(job.id()).isEqualTo(nj.id());
        apply(retry(job.ref(), "boom", T0.plusSeconds(10)), T0);

        assertThat(claim(10, T0.plusSeconds(9))).isEmpty();
        var again = claim(10, T0.plusSeconds(10));
        assertThat(again).extracting(Job::id).containsExactly(nj.id());
        assertThat(again.getFirst().attempt()).isEqualTo(2);
    }

    @Test
    void claim_concurrentClaimersNeverShareAJob() throws Exception {
        var jobs = new ArrayList<NewJob>();
        for (int i = 0; i < 400; i++) {
            jobs.add(aNewJob().build());
        }
        store.jobInsertMany(new InsertParams(jobs, T0));
        var seen = new ConcurrentLinkedQueue<String>();
        var start = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(4)) {
            for (int t = 0; t < 4; t++) {
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    List<Job> got;
                    do {
                        got = claim(7, T0);
                        got.forEach(j -> seen.add(j.id()));
                    } while (!got.isEmpty());
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(seen).hasSize(400);
        assertThat(new HashSet<>(seen)).hasSize(400);
    }

    @Test
    void setState_recordsTheOutcomeOfTheCurrentClaim() {
        var nj = aNewJob().build();
        insert(T0, nj);
        var job = claim(1, T0).getFirst();

        assertThat(apply(completed(job.ref(), "{\"ok\":true}"), T0.plusSeconds(1))).isTrue();

        var done = get(nj.id());
        assertThat(done.state()).isEqualTo(JobState.COMPLETED);
        assertThat(done.result()).isEqualTo("{\"ok\":true}");
        assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(done.leaseUntil()).isNull();
    }

    @Test
    void setState_isDiscardedForAStaleAttemptOrATerminalJob() {
        var nj = aNewJob().build();
        insert(T0, nj);
        var job = claim(1, T0).getFirst();
        var stale = new JobRef(job.id(), job.attempt() - 1);

        assertThat(apply(completed(stale, "{}"), T0)).isFalse();
        assertThat(apply(failed(job.ref(), "bad input"), T0)).isTrue();
        assertThat(apply(completed(job.ref(), "{}"), T0)).isFalse();

        var failed = get(nj.id());
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error()).isEqualTo("bad input");
        assertThat(failed.result()).isNull();
    }

    @Test
    void setState_manyReportsEachInOrder() {
        var a = aNewJob().build();
        var b = aNewJob().build();
        insert(T0, a, b);
        var claimed = claim(2, T0);
        var stale = new JobRef(claimed.get(1).id(), 99);

        var applied = store.jobSetStateMany(new StateChangeParams(List.of(
                completed(claimed.get(0).ref(), "{}"),
                completed(stale, "{}"),
                Lifecycle.finish(claimed.get(1), new Outcome.Cancelled("handler gave up"), T0, null)), T0));

        assertThat(applied).containsExactly(true, false, true);
        assertThat(get(claimed.get(1).id()).state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void setState_retryMovesBackToPendingWithTheErrorAndRunAt() {
        var nj = aNewJob().build();
        insert(T0, nj);
        var job = claim(1, T0).getFirst();

        assertThat(apply(retry(job.ref(), "timeout", T0.plusSeconds(3)), T0.plusSeconds(1))).isTrue();

        var retrying = get(nj.id());
        assertThat(retrying.state()).isEqualTo(JobState.PENDING);
        assertThat(retrying.error()).isEqualTo("timeout");
        assertThat(retrying.runAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(retrying.attempt()).isEqualTo(1);
        assertThat(retrying.finishedAt()).isNull();
    }

    @Test
    void leaseRenew_extendsOnlyCurrentClaims() {
        var a = aNewJob().build();
        var b = aNewJob().build();
        insert(T0, a, b);
        var claimed = claim(2, T0);
        var stale = new JobRef(claimed.get(1).id(), 7);

        var renewed = store.jobLeaseRenew(new LeaseRenewParams(List.of(claimed.get(0).ref(), stale),
                T0.plusSeconds(100), T0.plusSeconds(10)));

        assertThat(renewed).containsExactly(claimed.get(0).ref());
        assertThat(get(claimed.get(0).id()).leaseUntil()).isEqualTo(T0.plusSeconds(100));
        assertThat(get(claimed.get(1).id()).leaseUntil()).isEqualTo(T0.plus(LEASE));
    }

    @Test
    void rescue_expiredLeaseRunsAgainAndItsLateCompletionIsDiscarded() {
        var nj = aNewJob().maxAttempts(3).build();
        insert(T0, nj);
        var first = claim(1, T0).getFirst();
        var afterLease = T0.plus(LEASE).plusSeconds(1);

        assertThat(rescue(T0.plus(LEASE).minusSeconds(1), afterLease)).isEmpty();
        var rescued = rescue(afterLease, afterLease);

        assertThat(rescued).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo(JobState.PENDING);
            assertThat(j.error()).contains("went away");
        });
        var second = claim(1, afterLease).getFirst();
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(apply(completed(first.ref(), "{\"from\":1}"), afterLease)).isFalse();
        assertThat(apply(completed(second.ref(), "{\"from\":2}"), afterLease)).isTrue();
        assertThat(get(nj.id()).result()).isEqualTo("{\"from\":2}");
    }

    @Test
    void rescue_onTheLastAttemptFailsTheJob() {
        var nj = aNewJob().maxAttempts(1).build();
        insert(T0, nj);
        claim(1, T0);

        var rescued = rescue(Instant.MAX, T0.plusSeconds(1));

        assertThat(rescued).singleElement().satisfies(j -> {
            assertThat(j.state()).isEqualTo(JobState.FAILED);
            assertThat(j.error()).contains("failed after 1 attempt:");
            assertThat(j.finishedAt()).isEqualTo(T0.plusSeconds(1));
        });
    }

    @Test
    void setState_isFencedByTheExpectedState() {
        var pending = aNewJob().build();
        insert(T0, pending);
        var running = aNewJob().build();
        insert(T0.plusSeconds(1), running);
        var claimed = claim(1, T0.plusSeconds(1)).getFirst();
        assertThat(claimed.id()).isEqualTo(pending.id());
        var asPending = get(running.id());
        var cancelNow = Lifecycle.cancel(asPending);

        assertThat(apply(cancelNow, T0.plusSeconds(2))).isTrue();
        assertThat(apply(cancelNow, T0.plusSeconds(3))).as("already cancelled").isFalse();
        var cancelled = get(running.id());
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.error()).isEqualTo("cancelled by the client");
        assertThat(cancelled.finishedAt()).isEqualTo(T0.plusSeconds(2));
        var lateCancel = new StateChange(claimed.ref(), JobState.PENDING, JobState.CANCELLED, claimed.attempt(), null,
                "cancelled by the client", null);
        assertThat(apply(lateCancel, T0.plusSeconds(2))).as("the job was claimed meanwhile").isFalse();
        assertThat(get(pending.id()).state()).isEqualTo(JobState.PROCESSING);
    }

    @Test
    void release_givesTheAttemptBackAndTheJobRunsAgain() {
        var nj = aNewJob().maxAttempts(1).build();
        insert(T0, nj);
        var first = claim(1, T0).getFirst();

        assertThat(apply(Lifecycle.release(first, T0.plusSeconds(1)), T0.plusSeconds(1))).isTrue();

        var released = get(nj.id());
        assertThat(released.state()).isEqualTo(JobState.PENDING);
        assertThat(released.attempt()).isZero();
        var again = claim(1, T0.plusSeconds(1));
        assertThat(again).singleElement().satisfies(j -> assertThat(j.attempt()).isEqualTo(1));
    }

    @Test
    void claim_neverTakesAJobWithNoAttemptLeft() {
        var nj = aNewJob().maxAttempts(1).build();
        insert(T0, nj);
        var first = claim(1, T0).getFirst();
        apply(retry(first.ref(), "a retry the lifecycle would not decide", T0), T0);

        assertThat(get(nj.id()).state()).isEqualTo(JobState.PENDING);
        assertThat(claim(10, T0.plusSeconds(1))).isEmpty();
    }

    @Test
    void pastDeadline_listsPendingJobsWhoseDeadlinePassed() {
        var soon = aNewJob().deadline(T0.plusSeconds(5)).build();
        var later = aNewJob().deadline(T0.plusSeconds(50)).build();
        var none = aNewJob().build();
        insert(T0, soon, later, none);

        var pastDeadline = store.jobListPastDeadline(new PastDeadlineParams(T0.plusSeconds(5), 100));
        assertThat(pastDeadline).extracting(Job::id).containsExactly(soon.id());
        assertThat(apply(Lifecycle.expire(pastDeadline.getFirst()), T0.plusSeconds(5))).isTrue();

        assertThat(get(soon.id()).state()).isEqualTo(JobState.EXPIRED);
        assertThat(get(soon.id()).error()).isEqualTo("the deadline passed before the job started");
        assertThat(get(later.id()).state()).isEqualTo(JobState.PENDING);
        assertThat(store.jobListPastDeadline(new PastDeadlineParams(T0.plusSeconds(5), 100))).isEmpty();
    }

    @Test
    void list_newestFirstWithFiltersAndCursor() {
        var ids = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            var nj = aNewJob().task(i % 2 == 0 ? "echo" : "other").build();
            ids.add(nj.id());
            insert(T0, nj);
        }
        insert(T0, aNewJob().tenant("someone-else").build());
        var done = claim(1, T0).getFirst();
        apply(completed(done.ref(), "{}"), T0);

        var page1 = store.jobList(new ListParams("default", null, null, 2, null));
        var page2 = store.jobList(new ListParams("default", null, null, 2, page1.nextAfterId()));
        var page3 = store.jobList(new ListParams("default", null, null, 2, page2.nextAfterId()));

        assertThat(page1.jobs()).extracting(Job::id).containsExactly(ids.get(4), ids.get(3));
        assertThat(page2.jobs()).extracting(Job::id).containsExactly(ids.get(2), ids.get(1));
        assertThat(page3.jobs()).extracting(Job::id).containsExactly(ids.get(0));
        assertThat(page3.nextAfterId()).isNull();
        assertThat(store.jobList(new ListParams("default", null, "echo", 10, null)).jobs())
                .extracting(Job::id).containsExactly(ids.get(4), ids.get(2), ids.get(0));
        assertThat(store.jobList(new ListParams("default", JobState.COMPLETED, null, 10, null)).jobs())
                .extracting(Job::id).containsExactly(done.id());
    }

    @Test
    void deleteFinished_removesOnlyTerminalJobsFinishedBeforeTheCutoffInBatches() {
        var a = aNewJob().build();
        var b = aNewJob().build();
        var c = aNewJob().build();
        insert(T0, a, b, c);
        var claimed = claim(2, T0);
        apply(completed(claimed.get(0).ref(), "{}"), T0.plusSeconds(1));
        apply(failed(claimed.get(1).ref(), "x"), T0.plusSeconds(2));
        var later = aNewJob().build();
        insert(T0, later);
        apply(completed(claim(1, T0).getFirst().ref(), "{}"), T0.plusSeconds(100));

        assertThat(store.jobDeleteFinished(T0.plusSeconds(50), 1)).isEqualTo(1);
        assertThat(store.jobDeleteFinished(T0.plusSeconds(50), 10)).isEqualTo(1);
        assertThat(store.jobDeleteFinished(T0.plusSeconds(50), 10)).isZero();

        assertThat(store.jobGet("default", claimed.get(0).id())).isEmpty();
        assertThat(store.jobGet("default", claimed.get(1).id())).isEmpty();
        assertThat(store.jobGet("default", later.id())).isPresent();
        assertThat(store.jobCountPending()).isEqualTo(1);
    }

    @Test
    void taskActivity_countsRunningJobsAndThoseFinishedInTheWindowPerTask() {
        insert(T0, aNewJob().task("embed").build(), aNewJob().task("embed").build(), aNewJob().task("summarize").build(),
                aNewJob().task("echo").build());
        var claimed = claim(4, T0);
        var embed = claimed.stream().filter(j -> j.task().equals("embed")).toList();
        apply(completed(embed.get(0).ref(), "{}"), T0.plusSeconds(10));
        var echo = claimed.stream().filter(j -> j.task().equals("echo")).findFirst().orElseThrow();
        apply(completed(echo.ref(), "{}"), T0.plusSeconds(1));

        assertThat(store.jobTaskActivity(T0.plusSeconds(5))).containsExactly(
                new QueueStats.Activity("embed", 1, 1),
                new QueueStats.Activity("summarize", 1, 0));
    }

    @Test
    void queueStats_countPendingAndProcessingAndAgeTheOldestRunnable() {
        insert(T0, aNewJob().priority(Priority.BATCH).build());
        insert(T0.plusSeconds(10), aNewJob().priority(Priority.INTERACTIVE).build(), aNewJob().build());
        claim(1, T0.plusSeconds(10));

        var stats = store.jobQueueStats(T0.plusSeconds(30));

        assertThat(stats.pending()).isEqualTo(2);
        assertThat(stats.processing()).isEqualTo(1);
        assertThat(stats.oldestRunnableAge()).isEqualTo(Duration.ofSeconds(30));
        assertThat(store.jobQueueStats(T0).oldestRunnableAge()).isEqualTo(Duration.ZERO);
        assertThat(store.jobQueueDepth()).containsExactlyInAnyOrder(
                new QueueStats.Depth("echo", Priority.BATCH, 1),
                new QueueStats.Depth("echo", Priority.STANDARD, 1));
    }

    @Test
    void insert_underAPendingCap_refusesWhatWouldGoOverIt_perTenant_andKeepsIdempotentRepeats() {
        var held = aNewJob().tenant("a").idempotencyKey("k1", "h1").build();
        var first = store.jobInsertMany(new InsertParams(List.of(held, aNewJob().tenant("a").build(),
                aNewJob().tenant("a").build(), aNewJob().tenant("b").task("other").build()), T0).withMaxPendingPerTenant(2));

        assertThat(first).extracting(InsertResult::created).containsExactly(true, true, false, true);
        assertThat(first.get(2).refusal()).isEqualTo(new InsertResult.PendingCapReached("a", 2));
        assertThat(first.get(2).job()).isNull();
        var repeat = store.jobInsertMany(new InsertParams(List.of(aNewJob().tenant("a").idempotencyKey("k1", "h1").build()), T0)
                .withMaxPendingPerTenant(2)).getFirst();
        assertThat(repeat.refused()).as("a repeated key at the cap").isFalse();
        assertThat(repeat.job().id()).isEqualTo(held.id());
        assertThat(store.jobList(new ListParams("a", null, null, 10, null)).jobs()).hasSize(2);

        var twice = store.jobInsertMany(new InsertParams(List.of(aNewJob().tenant("c").idempotencyKey("k2", "h2").build(),
                aNewJob().tenant("c").idempotencyKey("k2", "h2").build(), aNewJob().tenant("c").build()), T0)
                .withMaxPendingPerTenant(2));
        assertThat(twice).as("a key repeated within a batch counts once").extracting(InsertResult::refused)
                .containsExactly(false, false, false);
        assertThat(twice.get(1).job().id()).isEqualTo(twice.get(0).job().id());

        store.jobClaim(new ClaimParams(1, T0, T0.plus(LEASE), "w1").ofTask("echo")); // one of a's starts: one more may wait
        var after = store.jobInsertMany(new InsertParams(List.of(aNewJob().tenant("a").build(), aNewJob().tenant("a").build()),
                T0).withMaxPendingPerTenant(2));
        assertThat(after).extracting(InsertResult::refused).containsExactly(false, true);
    }

    @Test
    void insert_underABudget_countsReservationsAndSpending_andEveryEndReleasesTheReservation() {
        var budgets = new Budgets(Map.of("a", new Budget(100, Budget.Period.DAY)), null, 0);
        var first = store.jobInsertMany(new InsertParams(List.of(aNewJob().tenant("a").reservation(60).build(),
                aNewJob().tenant("a").reservation(50).build(), aNewJob().tenant("a").reservation(40).build(),
                aNewJob().tenant("b").reservation(1_000).build()), T0).withBudgets(budgets));

        assertThat(first).extracting(InsertResult::created).containsExactly(true, false, true, true);
        assertThat(first.get(1).refusal()).isEqualTo(new InsertResult.BudgetSpent("a", new Budget(100, Budget.Period.DAY), 60, 50));
        assertThat(store.costReserved("a")).isEqualTo(100);
        assertThat(store.costReserved("b")).as("b has no budget, but holds what it reserved").isEqualTo(1_000);

        // a's first job completes at a cost of 30 (settled: 30 spent, its 60 released); its second is cancelled
        var claimed = claim(10, T0);
        var aFirst = claimed.stream().filter(j -> j.id().equals(first.get(0).job().id())).findFirst().orElseThrow();
        assertThat(apply(completed(aFirst.ref(), "{}").withUsage(new JobUsage("a", "echo", "m", 1, 2, 0, 5, 30)), T0)).isTrue();
        assertThat(apply(completed(aFirst.ref(), "{}").withUsage(new JobUsage("a", "echo", "m", 1, 2, 0, 5, 30)), T0))
                .as("a stale completion settles nothing").isFalse();
        var aThird = claimed.stream().filter(j -> j.id().equals(first.get(2).job().id())).findFirst().orElseThrow();
        assertThat(apply(new StateChange(aThird.ref(), JobState.PROCESSING, JobState.FAILED, aThird.attempt(), null, "x", null),
                T0)).isTrue();
        assertThat(store.costReserved("a")).isZero();
        assertThat(store.usageList("a", Budget.day(T0), Budget.day(T0)))
                .containsExactly(new UsageRow("a", Budget.day(T0), "echo", "m", 1, 1, 2, 0, 5, 30));

        // 30 spent today: 70 may be reserved, not 71; the next day the budget renews
        var today = store.jobInsertMany(new InsertParams(List.of(aNewJob().tenant("a").reservation(71).build(),
                aNewJob().tenant("a").reservation(70).build()), T0.plusSeconds(60)).withBudgets(budgets));
        assertThat(today).extracting(InsertResult::created).containsExactly(false, true);
        var tomorrow = store.jobInsertMany(new InsertParams(List.of(aNewJob().tenant("a").reservation(30).build()),
                T0.plus(Duration.ofDays(1))).withBudgets(budgets));
        assertThat(tomorrow.getFirst().created()).as("70 still reserved, nothing spent tomorrow yet").isTrue();
        var spent = store.jobInsertMany(new InsertParams(List.of(aNewJob().tenant("a").build()),
                T0.plus(Duration.ofDays(1))).withBudgets(budgets));
        assertThat(spent.getFirst().refused()).as("a spent budget takes no more work, even free work").isTrue();
    }

    @Test
    void usage_addsCompletionsPerTenantDayTaskAndModel_andListsThemInOrder() {
        insert(T0, aNewJob().tenant("a").build(), aNewJob().tenant("a").build(), aNewJob().tenant("b").build());
        var claimed = claim(3, T0);
        var changes = new ArrayList<StateChange>();
        for (var j : claimed) {
            changes.add(completed(j.ref(), "{}").withUsage(new JobUsage(j.tenant(), "echo", "", 0, 0, 10, 100, 7)));
        }
        store.jobSetStateMany(new StateChangeParams(changes, T0.plus(Duration.ofDays(2))));
        var day = Budget.day(T0.plus(Duration.ofDays(2)));

        assertThat(store.usageList(JobStore.ANY_TENANT, day, day)).containsExactly(
                new UsageRow("a", day, "echo", "", 2, 0, 0, 20, 200, 14),
                new UsageRow("b", day, "echo", "", 1, 0, 0, 10, 100, 7));
        assertThat(store.usageList("b", day.minusDays(1), day.minusDays(1))).isEmpty();
        assertThat(store.usageList("b", day.minusDays(5), day)).hasSize(1);
    }

    @Test
    void fieldsReplace_appliesOnlyWhereTheJobStillHoldsWhatItWasGiven() {
        var a = aNewJob().input("{\"v\":1}").metadata("{\"m\":1}").build();
        var b = aNewJob().input("{\"v\":2}").build();
        insert(T0, a, b);
        var claimed = claim(2, T0);
        apply(completed(claimed.stream().filter(j -> j.id().equals(b.id())).findFirst().orElseThrow().ref(), "{\"r\":2}"), T0);

        int n = store.jobFieldsReplace(List.of(
                new FieldsReplacement(a.id(), new FieldsReplacement.Fields("{\"v\":1}", "{\"m\":1}", null, null),
                        new FieldsReplacement.Fields("\"x1\"", "\"x2\"", null, null)),
                // b completed since its fields were read: left as it is
                new FieldsReplacement(b.id(), new FieldsReplacement.Fields("{\"v\":2}", null, null, null),
                        new FieldsReplacement.Fields("\"y\"", null, null, null))));

        assertThat(n).isEqualTo(1);
        assertThat(get(a.id()).input().json()).isEqualTo("\"x1\"");
        assertThat(get(a.id()).metadata()).isEqualTo("\"x2\"");
        assertThat(get(a.id()).state()).isEqualTo(JobState.PROCESSING);
        assertThat(get(b.id()).input().json()).isEqualTo("{\"v\":2}");
        assertThat(get(b.id()).result()).isEqualTo("{\"r\":2}");
    }

    @Test
    void countFailed_countsFailedJobsOfAllTenantsUntilRetentionDeletesThem() {
        insert(T0, aNewJob().build(), aNewJob().build(), aNewJob().tenant("other").build(), aNewJob().build());
        var claimed = claim(4, T0);
        apply(failed(claimed.get(0).ref(), "x"), T0.plusSeconds(1));
        apply(failed(claimed.get(1).ref(), "y"), T0.plusSeconds(2));
        apply(failed(claimed.get(2).ref(), "z"), T0.plusSeconds(100));
        apply(completed(claimed.get(3).ref(), "{}"), T0.plusSeconds(1));
        insert(T0, aNewJob().build());

        assertThat(store.jobCountFailed()).isEqualTo(3);
        store.jobDeleteFinished(T0.plusSeconds(50), 10);
        assertThat(store.jobCountFailed()).isEqualTo(1);
    }

    @Test
    void ping_succeedsOnAnOpenStore() {
        store.ping();
        assertThat(store.jobCountPending()).isZero();
    }

    private static byte[] randomBytes(int n, long seed) {
        var bytes = new byte[n];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private Attachment attach(String jobId, String name, byte[] bytes, Instant now) throws IOException {
        return store.attachmentWrite(jobId, name, "report.pdf", new ByteArrayInputStream(bytes), now);
    }

    /** The first {@code n} bytes of an attachment as the store holds them (a decorator's subclass reads its inner store). */
    protected byte[] storedHead(Attachment a, int n) throws IOException {
        try (var in = store.attachmentRead(a)) {
            return in.readNBytes(n);
        }
    }

    @Test
    void attachmentPage_walksEveryCompleteAttachmentInOrder_andHeadReplaceIsACompareAndSet() throws IOException {
        var one = aNewJob().build();
        var two = aNewJob().build();
        var written = new ArrayList<Attachment>();
        written.add(attach(one.id(), "document", randomBytes(100, 1), T0));
        written.add(attach(one.id(), "step/a", randomBytes(Attachment.CHUNK_BYTES + 5, 2), T0));
        written.add(attach(two.id(), "document", randomBytes(50, 3), T0));
        written.sort(java.util.Comparator.comparing(Attachment::jobId).thenComparing(Attachment::name));

        var first = store.attachmentPage(null, null, 2);
        assertThat(first).containsExactlyElementsOf(written.subList(0, 2));
        var rest = store.attachmentPage(first.getLast().jobId(), first.getLast().name(), 2);
        assertThat(rest).containsExactly(written.get(2));

        var a = written.get(1);
        var head = storedHead(a, 8);
        var changed = head.clone();
        changed[0] ^= 1;
        assertThat(store.attachmentHeadReplace(a, changed, head)).as("not what it holds").isFalse();
        assertThat(store.attachmentHeadReplace(a, head, changed)).isTrue();
        assertThat(storedHead(a, 8)).isEqualTo(changed);
        assertThat(store.attachmentGet(a.jobId(), a.name())).contains(a);
    }

    @Test
    void attachment_spanningChunks_readsBackByteForByte() throws IOException {
        var job = aNewJob().build();
        var bytes = randomBytes(Attachment.CHUNK_BYTES * 2 + 17, 7);

        var written = attach(job.id(), "document", bytes, T0);

        assertThat(written).isEqualTo(new Attachment(job.id(), "document", "report.pdf", bytes.length));
        assertThat(store.attachmentGet(job.id(), "document")).contains(written);
        try (var in = store.attachmentRead(written)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(store.attachmentGet(job.id(), "other")).isEmpty();
    }

    @Test
    void attachment_ofTheSameName_isReplacedAndAnEmptyOneIsKept() throws IOException {
        var job = aNewJob().build();
        attach(job.id(), "step/a", randomBytes(Attachment.CHUNK_BYTES + 1, 1), T0);

        var replaced = attach(job.id(), "step/a", new byte[0], T0);

        assertThat(store.attachmentGet(job.id(), "step/a")).contains(replaced);
        try (var in = store.attachmentRead(replaced)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void attachment_whoseSourceFails_leavesNothing() {
        var job = aNewJob().build();
        InputStream failing = new FilterInputStream(new ByteArrayInputStream(randomBytes(Attachment.CHUNK_BYTES * 3, 2))) {
            private int reads;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (++reads > 3) {
                    throw new IOException("the client went away");
                }
                return super.read(b, off, Math.min(len, Attachment.CHUNK_BYTES / 2));
            }
        };

        assertThatThrownBy(() -> store.attachmentWrite(job.id(), "document", null, failing, T0))
                .isInstanceOf(IOException.class).hasMessage("the client went away");
        assertThat(store.attachmentGet(job.id(), "document")).isEmpty();
    }

    @Test
    void attachments_goWithTheirJobAtRetention() throws IOException {
        var job = aNewJob().build();
        insert(T0, job);
        attach(job.id(), "document", randomBytes(100, 3), T0);
        attach(job.id(), "step/extract", randomBytes(100, 4), T0);
        apply(completed(claim(1, T0).getFirst().ref(), "{}"), T0);

        assertThat(store.jobDeleteFinished(T0.plusSeconds(1), 10)).isEqualTo(1);

        assertThat(store.attachmentGet(job.id(), "document")).isEmpty();
        assertThat(store.attachmentGet(job.id(), "step/extract")).isEmpty();
    }

    @Test
    void orphanSweep_deletesOnlyOldAttachmentsWithoutAJob() throws IOException {
        var kept = aNewJob().build();
        insert(T0, kept);
        attach(kept.id(), "document", randomBytes(10, 5), T0);
        var orphan = aNewJob().build().id();
        attach(orphan, "document", randomBytes(10, 6), T0);
        var recent = aNewJob().build().id();
        attach(recent, "document", randomBytes(10, 7), T0.plusSeconds(3600));

        assertThat(store.attachmentDeleteOrphans(T0.plusSeconds(60))).isPositive();

        assertThat(store.attachmentGet(kept.id(), "document")).isPresent();
        assertThat(store.attachmentGet(orphan, "document")).isEmpty();
        assertThat(store.attachmentGet(recent, "document")).isPresent();
    }

    @Test
    void attachmentDelete_removesOneAndDeleteAllEveryAttachmentOfTheJob() throws IOException {
        var job = aNewJob().build();
        attach(job.id(), "document", randomBytes(10, 8), T0);
        attach(job.id(), "step/a", randomBytes(10, 9), T0);

        store.attachmentDelete(job.id(), "step/a");
        assertThat(store.attachmentGet(job.id(), "step/a")).isEmpty();
        assertThat(store.attachmentGet(job.id(), "document")).isPresent();

        store.attachmentDeleteAll(job.id());
        assertThat(store.attachmentGet(job.id(), "document")).isEmpty();
    }
}
