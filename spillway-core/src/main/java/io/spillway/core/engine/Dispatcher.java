package io.spillway.core.engine;

import io.spillway.core.Job;
import io.spillway.core.JobRef;
import io.spillway.core.JobState;
import io.spillway.core.Lifecycle;
import io.spillway.core.Outcome;
import io.spillway.core.json.Usage;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.JobUsage;
import io.spillway.core.store.StateChange;
import io.spillway.core.store.StateChangeParams;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Claims runnable jobs from the store, each task only as many as it has room to start, and runs
 * them on that task's own workers.
 *
 * <p>Every task has a {@link TaskLane}: a capacity (the jobs its workers can run at once, plus one
 * batch of prefetch) and, for tasks that compute, a pool of its own, so a slow task never queues
 * in front of a fast one and what cannot start yet stays {@code pending} in the store (visible,
 * cancellable, claimable by another process). Tasks that wait on I/O run on virtual threads,
 * bounded by {@code maxInFlight}.
 *
 * <p>Implementation notes. One dispatcher thread claims, per task and only when there may be
 * work: a lane's signal is raised by a committed insert of its task ({@link #wake(Collection)}),
 * a claim of its that came back full, and for every lane by a due retry, an event from another
 * process and the {@code pollInterval} timer; it is cleared just before the lane's claim, so a
 * signal that races with a claim is never lost, and an idle engine makes no empty claims but the
 * poll's. Claimed jobs are tracked in {@code inFlight} (id to claimed job) until their completion
 * commits; there are never more than {@code maxInFlight}. While no lane can claim, the dispatcher
 * sleeps until a recorded completion frees room.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final JobStore store;
    private final TaskRegistry tasks;
    private final EngineConfig config;
    private final InstantSource clock;
    private final Scheduler scheduler;
    private final ExecutorService ioWorkers;
    private final Map<String, TaskLane> lanes = new LinkedHashMap<>();
    private final BatchWriter<StateChange, Boolean> completer;
    private final ConcurrentHashMap<String, Job> inFlight = new ConcurrentHashMap<>();
    private final EngineListener listener;
    private final AtomicLong nextDueMillis = new AtomicLong(Long.MAX_VALUE);
    private final Thread thread;
    private volatile boolean claiming = true;
    private volatile boolean stopped;

    Dispatcher(JobStore store, TaskRegistry tasks, EngineConfig config, Scheduler scheduler,
               ExecutorService ioWorkers, Consumer<List<String>> onChanged, EngineListener listener) {
        this.scheduler = scheduler;
        this.ioWorkers = ioWorkers;
        this.listener = listener;
        this.store = store;
        this.tasks = tasks;
        this.config = config;
        this.clock = scheduler.clock();
        for (var name : tasks.names()) {
            tasks.handler(name).ifPresent(h -> lanes.put(name, new TaskLane(h, config)));
        }
        this.completer = new BatchWriter<>("spillway-completer", 2048, config.maxInFlight() * 2 + 16,
                this::recordUntilStored,
                (finishes, applied) -> afterFinish(finishes, applied, onChanged), Runnable::run, listener, "complete");
        this.thread = Thread.ofPlatform().name("spillway-dispatcher").daemon(true).unstarted(this::loop);
    }

    void start() {
        completer.start();
        thread.start();
    }

    /** Tells the dispatcher that runnable jobs of any task may be waiting. Cheap; safe from any thread. */
    void wake() {
        boolean raised = false;
        for (var lane : lanes.values()) {
            raised |= lane.mayHaveWork.compareAndSet(false, true);
        }
        if (raised) {
            scheduler.unpark(thread);
        }
    }

    /** Tells the dispatcher that runnable jobs of these tasks may be waiting. */
    void wake(Collection<String> taskNames) {
        boolean raised = false;
        for (var name : taskNames) {
            var lane = lanes.get(name);
            raised |= lane != null && lane.mayHaveWork.compareAndSet(false, true);
        }
        if (raised) {
            scheduler.unpark(thread);
        }
    }

    /** Makes sure the dispatcher looks for work no later than {@code epochMillis}. */
    void wakeAt(long epochMillis) {
        nextDueMillis.accumulateAndGet(epochMillis, Math::min);
        scheduler.unpark(thread);
    }

    int inFlightCount() {
        return inFlight.size();
    }

    List<JobRef> inFlightRefs() {
        return inFlight.values().stream().map(Job::ref).toList();
    }

    /** The jobs claimed and not yet recorded, as claimed. */
    List<Job> inFlightJobs() {
        return List.copyOf(inFlight.values());
    }

    /** Stops claiming; running jobs go on. */
    void stopClaiming() {
        claiming = false;
        scheduler.unpark(thread);
    }

    /** Waits until nothing is in flight or the timeout passes; true when drained. */
    boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!inFlight.isEmpty()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            synchronized (inFlight) {
                inFlight.wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
        return true;
    }

    /** Interrupts the tasks' workers (the drain is over). */
    void stopWorkers() {
        for (var lane : lanes.values()) {
            if (lane.workers != null) {
                lane.workers.shutdownNow();
            }
        }
    }

    /** Stops the thread and flushes recorded completions. */
    void stop() {
        stopped = true;
        claiming = false;
        scheduler.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        completer.close();
    }

    private void loop() {
        long nextPoll = clock.millis() + config.pollInterval().toMillis();
        while (!stopped) {
            long now = clock.millis();
            if (nextDueMillis.get() <= now) {
                nextDueMillis.set(Long.MAX_VALUE);
                markAll();
            }
            if (now >= nextPoll) {
                nextPoll = now + config.pollInterval().toMillis();
                markAll();
            }
            boolean claimedAny = false;
            if (claiming) {
                for (var lane : lanes.values()) {
                    int free = Math.min(lane.free(), config.maxInFlight() - inFlight.size());
                    if (!lane.worthClaiming(free, config.claimBatch()) || !lane.mayHaveWork.getAndSet(false)) {
                        continue;
                    }
                    int want = Math.min(free, config.claimBatch());
                    List<Job> claimed;
                    try {
                        var leaseUntil = clock.instant().plus(config.leaseDuration());
                        claimed = store.jobClaim(new ClaimParams(want, clock.instant(), leaseUntil, config.workerId(),
                                lane.handler.name(), config.scheduling().maxRunningPerTenant()));
                    } catch (RuntimeException e) {
                        log.warn("claim failed, retrying in {} ms: {}", config.pollInterval().toMillis(), e.toString());
                        lane.mayHaveWork.set(true);
                        scheduler.parkUntil(clock.instant().plus(config.pollInterval()));
                        break;
                    }
                    if (!claimed.isEmpty()) {
                        dispatch(lane, claimed);
                        claimedAny = true;
                    }
                    if (claimed.size() == want) {
                        lane.mayHaveWork.set(true);
                    }
                }
            }
            if (claimedAny) {
                continue;
            }
            long wakeAt = Math.min(nextPoll, nextDueMillis.get());
            if (!canClaimNow() && wakeAt > clock.millis()) {
                scheduler.parkUntil(Instant.ofEpochMilli(wakeAt));
            }
        }
    }

    private void markAll() {
        for (var lane : lanes.values()) {
            lane.mayHaveWork.set(true);
        }
    }

    /** Whether some lane has room and may have work. */
    private boolean canClaimNow() {
        if (!claiming || inFlight.size() >= config.maxInFlight()) {
            return false;
        }
        for (var lane : lanes.values()) {
            if (lane.mayHaveWork.get() && lane.worthClaiming(Math.min(lane.free(), config.maxInFlight() - inFlight.size()),
                    config.claimBatch())) {
                return true;
            }
        }
        return false;
    }

    private void dispatch(TaskLane lane, List<Job> claimed) {
        lane.claimed.addAndGet(claimed.size());
        for (Job job : claimed) {
            inFlight.put(job.id(), job);
        }
        var handler = lane.handler;
        int max = handler.maxBatchSize();
        for (int from = 0; from < claimed.size(); from += max) {
            var chunk = List.copyOf(claimed.subList(from, Math.min(claimed.size(), from + max)));
            try {
                (lane.workers == null ? ioWorkers : lane.workers).execute(() -> runBatch(handler, chunk));
            } catch (RejectedExecutionException e) {
                log.debug("workers stopped; {} jobs stay claimed until released", chunk.size());
            }
        }
    }

    private void runBatch(TaskHandler handler, List<Job> batch) {
        List<Outcome> outcomes;
        long started = System.nanoTime();
        // log lines written while the batch runs carry the job (or the batch) they belong to
        MDC.put("task", handler.name());
        if (batch.size() == 1) {
            var job = batch.getFirst();
            MDC.put("job_id", job.id());
            MDC.put("attempt", String.valueOf(job.attempt()));
            if (job.traceparent() != null && job.traceparent().length() >= 35) {
                MDC.put("trace_id", job.traceparent().substring(3, 35));
            }
        } else {
            MDC.put("batch_size", String.valueOf(batch.size()));
        }
        try {
            outcomes = handler.run(batch);
            listener.batchRan(handler.name(), batch.size(), System.nanoTime() - started);
            if (outcomes == null || outcomes.size() != batch.size()) {
                var error = "task handler '" + handler.name() + "' returned "
                        + (outcomes == null ? "null" : outcomes.size() + " outcomes") + " for " + batch.size() + " jobs";
                log.error(error);
                outcomes = nCopies(batch.size(), Outcome.failed(error));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // shutting down: the jobs are released
        } catch (Exception | LinkageError | AssertionError e) {
            var error = describe(e);
            log.debug("task '{}' threw on a batch of {}: {}", handler.name(), batch.size(), error);
            outcomes = nCopies(batch.size(), Outcome.retry(error));
        } finally {
            MDC.clear();
        }
        var now = clock.instant();
        for (int i = 0; i < batch.size(); i++) {
            var job = batch.get(i);
            var change = Lifecycle.finish(job, outcomes.get(i), now, config.backoff());
            // usage is what a task says its work used; a task that uses nothing (echo) adds no write to its completions
            if (handler.reportsUsage() && outcomes.get(i) instanceof Outcome.Completed c && change.to() == JobState.COMPLETED) {
                change = change.withUsage(JobUsage.of(job.tenant(), job.task(), Usage.fromResult(c.resultJson())));
            }
            record(change);
        }
    }

    private void record(StateChange change) {
        try {
            completer.submit(change);
        } catch (EngineClosedException | OverloadedException e) {
            log.debug("completion of {} not recorded ({}); the job is released or rescued", change.ref().id(), e.getMessage());
        }
    }

    /**
     * Records outcomes, retrying while the store is unreachable: an outcome must not be dropped
     * (its job would stay in flight here). If the lease expired meanwhile and another worker took
     * the job, the late write is discarded by fencing.
     */
    private List<Boolean> recordUntilStored(List<StateChange> finishes) {
        long pauseMillis = 100;
        while (true) {
            try {
                return store.jobSetStateMany(new StateChangeParams(finishes, clock.instant()));
            } catch (RuntimeException e) {
                if (stopped) {
                    throw e;
                }
                log.warn("recording {} outcomes failed, retrying in {} ms: {}", finishes.size(), pauseMillis, e.getMessage());
                scheduler.parkUntil(clock.instant().plusMillis(pauseMillis));
                pauseMillis = Math.min(2_000, pauseMillis * 2);
            }
        }
    }

    private void afterFinish(List<StateChange> finishes, List<Boolean> applied, Consumer<List<String>> onChanged) {
        var changed = new ArrayList<String>(finishes.size());
        var now = clock.instant();
        for (int i = 0; i < finishes.size(); i++) {
            var f = finishes.get(i);
            var claimed = removeInFlight(f.ref());
            if (claimed != null) {
                var lane = lanes.get(claimed.task());
                if (lane != null) {
                    lane.claimed.decrementAndGet();
                    if (config.scheduling().maxRunningPerTenant() > 0) {
                        lane.mayHaveWork.set(true); // a tenant held at its cap may run another now
                    }
                }
            }
            if (applied.get(i)) {
                changed.add(f.ref().id());
                if (claimed != null) {
                    listener.finished(claimed, f.to(), now);
                }
                if (f.to() == JobState.PENDING) {
                    wakeAt(f.runAt().toEpochMilli());
                }
            } else {
                listener.staleOutcome();
                log.info("discarded a stale completion of job {} (attempt {}): its lease had expired",
                        f.ref().id(), f.ref().attempt());
            }
        }
        onChanged.accept(changed);
        if (inFlight.isEmpty()) {
            synchronized (inFlight) {
                inFlight.notifyAll();
            }
        }
        if (canClaimNow()) {
            scheduler.unpark(thread); // room freed and work may be waiting
        }
    }

    /** Forgets the claim {@code ref} if it is still the one in flight; returns the claimed job. */
    private Job removeInFlight(JobRef ref) {
        var removed = new Job[1];
        inFlight.computeIfPresent(ref.id(), (id, job) -> {
            if (job.attempt() == ref.attempt()) {
                removed[0] = job;
                return null;
            }
            return job;
        });
        return removed[0];
    }

    static String describe(Throwable e) {
        var msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : ": " + msg);
    }

    private static List<Outcome> nCopies(int n, Outcome o) {
        return Collections.nCopies(n, o);
    }
}
