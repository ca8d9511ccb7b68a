package io.spillway.core.engine;

import io.spillway.core.Job;
import io.spillway.core.JobState;
import io.spillway.core.Lifecycle;
import io.spillway.core.NewJob;
import io.spillway.core.store.Budgets;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.InsertResult;
import io.spillway.core.store.JobEvents;
import io.spillway.core.store.JobPage;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.LeaseRenewParams;
import io.spillway.core.store.ListParams;
import io.spillway.core.store.PastDeadlineParams;
import io.spillway.core.store.QueueStats;
import io.spillway.core.store.StateChange;
import io.spillway.core.store.StateChangeParams;
import io.spillway.core.store.StuckParams;
import io.spillway.core.store.UsageRow;
import io.spillway.core.task.TaskRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job engine: accepts jobs with group commit, dispatches them to task handlers, records
 * outcomes, renews and rescues leases, expires deadlines, and wakes long polls.
 *
 * <p>Life: {@link #start()} once, then any thread may call the job methods; {@link #shutdown}
 * stops accepting, lets running jobs finish within the drain time and hands the rest back to
 * the store as pending. Nothing acknowledged is lost: a submit's future completes only after
 * its commit.
 */
public final class Engine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final JobStore store;
    private final TaskRegistry tasks;
    private final EngineConfig config;
    private final InstantSource clock;
    private final JobWaiters waiters = new JobWaiters();
    private final BatchWriter<NewJob, InsertResult> accepter;
    /** Handlers that wait on remote calls run here, one virtual thread per batch. */
    private final ExecutorService ioWorkers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("spillway-io-", 0).factory());
    private final ExecutorService reads = Executors.newVirtualThreadPerTaskExecutor();
    private final ExecutorService responders;
    private final Scheduler scheduler;
    private volatile boolean stopped;
    private final EngineListener listener;
    private final Dispatcher dispatcher;
    private volatile boolean accepting;

    public Engine(JobStore store, TaskRegistry tasks, EngineConfig config, InstantSource clock) {
        this(store, tasks, config, clock, EngineListener.NONE);
    }

    /** With a listener that receives what the engine does (metrics). */
    public Engine(JobStore store, TaskRegistry tasks, EngineConfig config, InstantSource clock, EngineListener listener) {
        this(store, tasks, config, Scheduler.system(clock, "spillway-maintenance"), listener);
    }

    /**
     * On the given scheduler, whose clock is the engine's time: a test hands in a fake one and
     * drives leases, backoff, deadlines and long polls without waiting.
     */
    public Engine(JobStore store, TaskRegistry tasks, EngineConfig config, Scheduler scheduler, EngineListener listener) {
        this.listener = listener;
        this.store = store;
        this.tasks = tasks;
        this.config = config;
        this.scheduler = scheduler;
        this.clock = scheduler.clock();
        var responderNo = new AtomicInteger();
        this.responders = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon(true)
                .name("spillway-respond-" + responderNo.incrementAndGet()).unstarted(r));
        this.queues = new QueueSampler(store, clock, config.scheduling(), this::taskQueues);
        this.budgeting = new Budgeting(tasks, config.scheduling().budgets());
        this.dispatcher = new Dispatcher(store, tasks, config, scheduler, ioWorkers, this::changed, listener);
        this.accepter = new BatchWriter<>("spillway-accepter", config.acceptBatch(), config.acceptQueue(),
                jobs -> {
                    var now = clock.instant();
                    return store.jobInsertMany(new InsertParams(jobs, now, queues.keys(jobs, now),
                            config.scheduling().maxPendingPerTenant(), config.scheduling().budgets()));
                },
                (jobs, results) -> {
                    dispatcher.wake(tasksOf(jobs));
                    countAccepted(results);
                }, responders, listener, "accept");
    }

    /** Recovers what a previous process left, then starts the threads. */
    public void start() {
        store.events().ifPresent(events -> events.start(new JobEvents.Listener() {
            @Override
            public void runnable() {
                dispatcher.wake();
            }

            @Override
            public void changed(Collection<String> ids) {
                ids.forEach(waiters::notifyChanged);
            }

            @Override
            public void reconnected() {
                dispatcher.wake();
                waiters.notifyAllWaiters();
            }
        }));
        if (config.ownsStore()) {
            int rescued = rescue(Instant.MAX);
            if (rescued > 0) {
                log.info("recovered {} jobs that were processing when the previous process stopped", rescued);
            }
        }
        accepter.start();
        if (config.runWorkers()) {
            dispatcher.start();
        }
        every(Duration.ofMillis(Math.max(1, config.leaseDuration().toMillis() / 3)), this::renewLeases);
        every(config.maintenanceInterval(), this::maintain);
        every(ORPHAN_SWEEP, this::sweepOrphanAttachments);
        sampleQueues();
        every(QUEUE_SAMPLE, this::sampleQueues);
        accepting = true;
    }

    public TaskRegistry tasks() {
        return tasks;
    }

    public boolean isAccepting() {
        return accepting;
    }

    /**
     * Queues a new job for the next group commit. The future completes after the commit (or
     * with the store's error); for a repeated idempotency key it holds the existing job.
     *
     * @throws EngineClosedException when shutting down
     * @throws OverloadedException when too many submits wait for a commit
     * @throws AdmissionRefusedException when the job's deadline cannot be met, or it would wait
     *         longer than its priority's queue limit ({@link Admission})
     */
    public CompletableFuture<InsertResult> submit(NewJob job) {
        if (!accepting) {
            throw new EngineClosedException("the server is shutting down and accepts no new jobs");
        }
        queues.admit(job, clock.instant());
        return accepter.submit(store.jobPrepare(budgeting.reserving(job))).thenApply(r -> admitted(r, job));
    }

    /**
     * The result of an insert (a new job as it was submitted, not as the store prepared it), or the
     * refusal of a limit the store checked as the exception the caller sees.
     */
    private InsertResult admitted(InsertResult result, NewJob submitted) {
        if (result.created() && result.job().input() != submitted.input()) { // the store prepared it (sealed it)
            var j = result.job();
            return new InsertResult(j.withContent(submitted.input(), submitted.metadata(), j.result(), j.error()), true);
        }
        return switch (result.refusal()) {
            case null -> result;
            case InsertResult.PendingCapReached r -> throw new AdmissionRefusedException("tenant " + r.tenant() + " has "
                    + r.cap() + " jobs waiting, its limit (max_pending_per_tenant " + r.cap()
                    + "); submit again once some have started", PENDING_RETRY,
                    new AdmissionRefusedException.Quota("pending", r.cap(), 0));
            case InsertResult.BudgetSpent r -> throw budgeting.refusal(r, clock.instant());
        };
    }

    /**
     * The per-task queues as last sampled (every {@link #QUEUE_SAMPLE}): what admission decides on,
     * and what metrics report without querying the store again.
     */
    public List<QueueStats.TaskQueue> sampledTaskQueues() {
        return queues.latest();
    }

    public Optional<Job> get(String tenant, String id) {
        return store.jobGet(tenant, id);
    }

    /**
     * The job once it is terminal, or as it is when {@code wait} passes; empty when there is no
     * such job. Waiting holds no thread.
     */
    public CompletableFuture<Optional<Job>> awaitTerminal(String tenant, String id, Duration wait) {
        var deadline = clock.instant().plus(wait);
        return CompletableFuture.supplyAsync(() -> awaitStep(tenant, id, deadline), reads).thenCompose(f -> f);
    }

    private CompletableFuture<Optional<Job>> awaitStep(String tenant, String id, Instant deadline) {
        var signal = waiters.register(id);
        Optional<Job> job;
        try {
            job = store.jobGet(tenant, id);
        } catch (RuntimeException e) {
            waiters.unregister(id, signal);
            return CompletableFuture.failedFuture(e);
        }
        var left = Duration.between(clock.instant(), deadline);
        if (job.isEmpty() || job.get().state().isTerminal() || !left.isPositive() || !accepting) {
            waiters.unregister(id, signal);
            return CompletableFuture.completedFuture(job);
        }
        // a shared store's change events can be lost: look again at least every second
        var wait = config.ownsStore() ? left : min(left, Duration.ofSeconds(1));
        var timeout = scheduler.schedule(() -> signal.complete(null), wait);
        return signal.thenComposeAsync(v -> {
            timeout.cancel();
            waiters.unregister(id, signal);
            return awaitStep(tenant, id, deadline);
        }, reads);
    }

    /**
     * Cancels a pending job. Returns the job afterwards (cancelled, or unchanged when it was no
     * longer pending); empty when there is no such job.
     */
    public Optional<Job> cancel(String tenant, String id) {
        var job = store.jobGet(tenant, id);
        if (job.isEmpty() || job.get().state() != JobState.PENDING) {
            return job;
        }
        boolean applied = apply(List.of(Lifecycle.cancel(job.get()))).getFirst();
        if (applied) {
            waiters.notifyChanged(id);
            listener.dropped(job.get(), JobState.CANCELLED);
        }
        return store.jobGet(tenant, id); // cancelled, or as another process moved it first
    }

    public JobPage list(ListParams params) {
        return store.jobList(params);
    }

    /** Queue depth and the oldest runnable job's age, all tenants. */
    public QueueStats queueStats() {
        return store.jobQueueStats(clock.instant());
    }

    /** Failed jobs the store holds (all tenants and processes), until retention deletes them. */
    public long failedJobs() {
        return store.jobCountFailed();
    }

    /** Pending jobs by task and priority. */
    public List<QueueStats.Depth> queueDepth() {
        return store.jobQueueDepth();
    }

    /** How fast each task's jobs end is measured over this window. */
    public static final Duration DRAIN_WINDOW = Duration.ofSeconds(60);

    /** Each task's queue: pending by priority, running, drain rate and time to drain (the autoscaling signal). */
    public List<QueueStats.TaskQueue> taskQueues() {
        var depth = store.jobQueueDepth();
        var activity = store.jobTaskActivity(clock.instant().minus(DRAIN_WINDOW));
        return QueueStats.TaskQueue.of(depth, activity, DRAIN_WINDOW);
    }

    /** The store's live and dead job rows, where it can tell. */
    public Map<String, Long> tableRows() {
        return store.tableRows();
    }

    /** What the tenant's ({@link JobStore#ANY_TENANT}: every tenant's) jobs completed on these days used. */
    public List<UsageRow> usage(String tenant, LocalDate from, LocalDate to) {
        return store.usageList(tenant, from, to);
    }

    /** What the tenant's pending and running jobs reserve of its budget now, in nanos. */
    public long costReserved(String tenant) {
        return store.costReserved(tenant);
    }

    /** The tenants' budgets. */
    public Budgets budgets() {
        return config.scheduling().budgets();
    }

    /** Throws when the store cannot be reached. */
    public void ping() {
        store.ping();
    }

    /** Jobs claimed and not yet recorded. */
    public int inFlight() {
        return dispatcher.inFlightCount();
    }

    /** Jobs waiting for their insert to commit. */
    public int acceptBacklog() {
        return accepter.backlog();
    }

    /**
     * Stops accepting, commits what was accepted, lets running jobs finish for up to
     * {@code drain}, then hands the still-running jobs back to the store as pending.
     */
    public void shutdown(Duration drain) {
        if (stopped) {
            return;
        }
        stopped = true;
        accepting = false;
        accepter.close(10_000);
        dispatcher.stopClaiming();
        boolean drained = false;
        try {
            drained = dispatcher.awaitIdle(drain.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdown();
        dispatcher.stopWorkers();
        ioWorkers.shutdownNow();
        dispatcher.stop(); // records nothing more: a released claim is never written again
        if (!drained) {
            var claimed = dispatcher.inFlightJobs();
            if (!claimed.isEmpty()) {
                var now = clock.instant();
                var releases = new ArrayList<StateChange>(claimed.size());
                for (Job job : claimed) {
                    releases.add(Lifecycle.release(job, now));
                }
                try {
                    var applied = apply(releases);
                    log.info("released {} running jobs back to pending after a {} ms drain (no attempt spent)",
                            applied.stream().filter(b -> b).count(), drain.toMillis());
                } catch (RuntimeException e) {
                    log.warn("could not release {} running jobs; they run again when their lease expires: {}",
                            claimed.size(), e.toString());
                }
            }
        }
        waiters.notifyAllWaiters(); // long polls answer with the job as it is now
        reads.shutdown();
        try {
            if (!reads.awaitTermination(2, TimeUnit.SECONDS)) {
                reads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        responders.shutdown();
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    private void countAccepted(List<InsertResult> results) {
        String task = null;
        int run = 0;
        for (var r : results) {
            if (!r.created()) {
                continue;
            }
            if (!r.job().task().equals(task)) {
                if (run > 0) {
                    listener.accepted(task, run);
                }
                task = r.job().task();
                run = 0;
            }
            run++;
        }
        if (run > 0) {
            listener.accepted(task, run);
        }
    }

    private void changed(List<String> ids) {
        for (String id : ids) {
            waiters.notifyChanged(id);
        }
    }

    private void renewLeases() {
        var refs = dispatcher.inFlightRefs();
        if (refs.isEmpty()) {
            return;
        }
        var now = clock.instant();
        var renewed = store.jobLeaseRenew(new LeaseRenewParams(refs, now.plus(config.leaseDuration()), now));
        if (renewed.size() < refs.size()) {
            log.debug("{} of {} leases were stale at renewal", refs.size() - renewed.size(), refs.size());
        }
    }

    /**
     * Attachments whose job never came (an upload refused after it was stored, a process that
     * died between the two) are deleted once they are older than this; it is also how often the
     * sweep runs.
     */
    static final Duration ORPHAN_SWEEP = Duration.ofMinutes(15);
    /** How often the per-task queues that admission decides on are sampled. */
    static final Duration QUEUE_SAMPLE = Duration.ofSeconds(2);
    /** When a tenant refused for its pending cap is told to come back: its jobs start in seconds or not at all soon. */
    static final Duration PENDING_RETRY = Duration.ofSeconds(5);
    private final QueueSampler queues;
    private final Budgeting budgeting;

    private void sampleQueues() {
        try {
            queues.sample();
        } catch (RuntimeException e) {
            log.debug("queue sample failed: {}", e.toString());
        }
    }

    private void sweepOrphanAttachments() {
        int deleted = store.attachmentDeleteOrphans(clock.instant().minus(ORPHAN_SWEEP));
        if (deleted > 0) {
            log.info("deleted {} attachment rows whose job does not exist", deleted);
        }
    }

    private void maintain() {
        var now = clock.instant();
        rescue(now);
        var cutoff = now.minus(config.retention());
        for (int i = 0; i < 10 && store.jobDeleteFinished(cutoff, 1000) == 1000; i++) {
            // small batches keep each delete transaction short; the rest waits for the next tick
        }
        List<Job> pastDeadline;
        do {
            pastDeadline = store.jobListPastDeadline(new PastDeadlineParams(now, 1000));
            var applied = apply(pastDeadline.stream().map(Lifecycle::expire).toList());
            for (int i = 0; i < pastDeadline.size(); i++) {
                if (applied.get(i)) {
                    waiters.notifyChanged(pastDeadline.get(i).id());
                    listener.dropped(pastDeadline.get(i), JobState.EXPIRED);
                }
            }
        } while (pastDeadline.size() == 1000);
    }

    /** Decides on every job whose lease ended before {@code leaseExpiredBefore}; returns how many moved. */
    private int rescue(Instant leaseExpiredBefore) {
        int total = 0;
        List<Job> stuck;
        do {
            stuck = store.jobListStuck(new StuckParams(leaseExpiredBefore, 1000));
            var now = clock.instant();
            var applied = apply(stuck.stream().map(job -> Lifecycle.rescue(job, now)).toList());
            for (int i = 0; i < stuck.size(); i++) {
                if (applied.get(i)) {
                    total++;
                    waiters.notifyChanged(stuck.get(i).id());
                }
            }
        } while (stuck.size() == 1000);
        if (total > 0) {
            listener.leasesExpired(total);
            if (accepting) {
                dispatcher.wake();
            }
        }
        return total;
    }

    /** The tasks of committed jobs; a batch is most often of one task, found without hashing. */
    private static Collection<String> tasksOf(List<NewJob> jobs) {
        var first = jobs.getFirst().task();
        Set<String> names = null;
        for (var j : jobs) {
            if (names == null && !j.task().equals(first)) {
                names = new HashSet<>(4);
                names.add(first);
            }
            if (names != null) {
                names.add(j.task());
            }
        }
        return names == null ? List.of(first) : names;
    }

    private List<Boolean> apply(List<StateChange> changes) {
        return changes.isEmpty() ? List.of() : store.jobSetStateMany(new StateChangeParams(changes, clock.instant()));
    }

    /** Runs {@code step} every {@code interval} (after each run ends) until shutdown; a step that throws is retried next time. */
    private void every(Duration interval, Runnable step) {
        scheduler.schedule(() -> {
            try {
                step.run();
            } catch (RuntimeException e) {
                log.warn("maintenance step failed, will retry: {}", e.toString());
            }
            if (!stopped) {
                every(interval, step);
            }
        }, interval);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
