package io.spillway.core.engine;

import io.spillway.core.Job;
import io.spillway.core.JobRef;
import io.spillway.core.JobState;
import io.spillway.core.Lifecycle;
import io.spillway.core.Outcome;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.StateChange;
import io.spillway.core.store.StateChangeParams;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Claims runnable jobs from the store and runs them on the worker pool.
 *
 * <p>Implementation notes. One dispatcher thread claims, and only when there may be work:
 * {@code workSignal} is raised by a committed insert ({@link #wake()}), a due retry, a claim
 * that came back full (more may wait) and the {@code pollInterval} timer (jobs written by other
 * processes); it is cleared just before each claim, so a signal that races with a claim is
 * never lost, and an idle engine makes no empty claims. Claimed jobs are tracked in
 * {@code inFlight} (id to fencing ref) until their completion commits; there are never more
 * than {@code maxInFlight}. While full, the dispatcher sleeps until a recorded completion frees
 * capacity.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final JobStore store;
    private final TaskRegistry tasks;
    private final EngineConfig config;
    private final InstantSource clock;
    private final Scheduler scheduler;
    private final ExecutorService workers;
    private final ExecutorService ioWorkers;
    private final BatchWriter<StateChange, Boolean> completer;
    private final ConcurrentHashMap<String, Job> inFlight = new ConcurrentHashMap<>();
    private final EngineListener listener;
    private final AtomicBoolean workSignal = new AtomicBoolean(true);
    private final AtomicLong nextDueMillis = new AtomicLong(Long.MAX_VALUE);
    private final Thread thread;
    private volatile boolean claiming = true;
    private volatile boolean stopped;

    Dispatcher(JobStore store, TaskRegistry tasks, EngineConfig config, Scheduler scheduler,
               ExecutorService workers, ExecutorService ioWorkers, Consumer<List<String>> onChanged,
               EngineListener listener) {
        this.scheduler = scheduler;
        this.ioWorkers = ioWorkers;
        this.listener = listener;
        this.store = store;
        this.tasks = tasks;
        this.config = config;
        this.clock = scheduler.clock();
        this.workers = workers;
        this.completer = new BatchWriter<>("spillway-completer", 2048, config.maxInFlight() * 2 + 16,
                this::recordUntilStored,
                (finishes, applied) -> afterFinish(finishes, applied, onChanged), Runnable::run, listener, "complete");
        this.thread = Thread.ofPlatform().name("spillway-dispatcher").daemon(true).unstarted(this::loop);
    }

    void start() {
        completer.start();
        thread.start();
    }

    /** Tells the dispatcher that runnable jobs may be waiting. Cheap; safe from any thread. */
    void wake() {
        if (workSignal.compareAndSet(false, true)) {
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
                workSignal.set(true);
            }
            if (now >= nextPoll) {
                nextPoll = now + config.pollInterval().toMillis();
                workSignal.set(true);
            }
            int free = config.maxInFlight() - inFlight.size();
            if (claiming && worthClaiming(free) && workSignal.getAndSet(false)) {
                int want = Math.min(free, config.claimBatch());
                List<Job> claimed;
                try {
                    var leaseUntil = clock.instant().plus(config.leaseDuration());
                    claimed = store.jobClaim(new ClaimParams(want, clock.instant(), leaseUntil, config.workerId()));
                } catch (RuntimeException e) {
                    log.warn("claim failed, retrying in {} ms: {}", config.pollInterval().toMillis(), e.toString());
                    workSignal.set(true);
                    scheduler.parkUntil(clock.instant().plus(config.pollInterval()));
                    continue;
                }
                if (!claimed.isEmpty()) {
                    dispatch(claimed);
                }
                if (claimed.size() == want) {
                    workSignal.set(true);
                }
                continue;
            }
            long wakeAt = Math.min(nextPoll, nextDueMillis.get());
            boolean canClaimNow = claiming && workSignal.get() && worthClaiming(config.maxInFlight() - inFlight.size());
            if (!canClaimNow && wakeAt > clock.millis()) {
                scheduler.parkUntil(Instant.ofEpochMilli(wakeAt));
            }
        }
    }

    /**
     * Whether to claim with {@code free} slots: at once when little is in flight, but when the
     * engine is nearly full, only once a quarter of it (or a claim batch) is free, so a saturated
     * engine claims in large batches instead of one store round trip per finished job.
     */
    private boolean worthClaiming(int free) {
        int inFlightNow = config.maxInFlight() - free;
        int threshold = Math.max(1, Math.min(config.claimBatch(), config.maxInFlight() / 4));
        return free > 0 && (free >= threshold || inFlightNow < threshold);
    }

    private void dispatch(List<Job> claimed) {
        Map<String, List<Job>> byTask = new LinkedHashMap<>();
        for (Job job : claimed) {
            inFlight.put(job.id(), job);
            byTask.computeIfAbsent(job.task(), t -> new ArrayList<>()).add(job);
        }
        for (var entry : byTask.entrySet()) {
            var handler = tasks.handler(entry.getKey());
            if (handler.isEmpty()) {
                for (Job job : entry.getValue()) {
                    record(Lifecycle.finish(job, Outcome.failed("no handler for task '" + job.task()
                            + "' in this process (tasks here: " + tasks.names() + ")"), clock.instant(), config.backoff()));
                }
                continue;
            }
            var jobs = entry.getValue();
            int max = handler.get().maxBatchSize();
            for (int from = 0; from < jobs.size(); from += max) {
                var chunk = List.copyOf(jobs.subList(from, Math.min(jobs.size(), from + max)));
                try {
                    (handler.get().waitsOnIo() ? ioWorkers : workers).execute(() -> runBatch(handler.get(), chunk));
                } catch (RejectedExecutionException e) {
                    log.debug("worker pool closed; {} jobs stay claimed until released", chunk.size());
                }
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
            record(Lifecycle.finish(batch.get(i), outcomes.get(i), now, config.backoff()));
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
        if (workSignal.get()) {
            scheduler.unpark(thread); // capacity freed and work is waiting
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
