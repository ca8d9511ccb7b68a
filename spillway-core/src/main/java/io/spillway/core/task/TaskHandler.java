package io.spillway.core.task;

import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The task SPI: runs one named kind of work. The engine hands a handler batches of claimed jobs
 * of its task, at most {@link #maxBatchSize()} at a time, so a model-backed handler can run a
 * whole batch in one model call.
 *
 * <p>Threading: {@link #run} is called from worker threads, possibly concurrently; a handler is
 * responsible for its own thread-safety. It may block. An exception thrown by {@code run} is
 * treated as a retryable failure of every job in the batch.
 */
public interface TaskHandler {

    /** The task name clients submit, e.g. {@code echo}. Lower case, stable. */
    String name();

    /** Largest batch {@link #run} accepts; 1 means one job per call. */
    default int maxBatchSize() {
        return 1;
    }

    /**
     * Whether the handler mostly waits (remote model calls, I/O) rather than computes. Such a
     * handler runs on virtual threads, so a burst of slow remote calls holds none of the CPU
     * workers that in-process models need; {@code max_in_flight} still bounds how many run.
     */
    default boolean waitsOnIo() {
        return false;
    }

    /**
     * How many of this task's batches can do work at once in this process, when the handler knows
     * better than the engine (a remote model's concurrency limit); 0 lets the engine decide (its
     * worker threads, or for a task that waits on I/O {@code max_in_flight}). The engine claims
     * no more of the task's jobs than that many batches, plus one batch of prefetch. For a task
     * that waits on I/O the engine asks again before every claim, so the answer may follow an
     * adaptive limit; a task that computes is asked once.
     */
    default int concurrency() {
        return 0;
    }

    /**
     * Whether the task runs on a model chosen per job. The request's top-level {@code "model"} is
     * then handed to the task as {@code input.model}; otherwise only {@code "auto"} is accepted.
     */
    default boolean usesModels() {
        return false;
    }

    /**
     * Whether the task reads an uploaded document: its input is {@code {"document_id"}}, and
     * {@code POST /v1/documents?task=} may name it.
     */
    default boolean takesDocuments() {
        return false;
    }

    /**
     * Checks a job's input at submit time, so bad input is refused with a 4xx instead of
     * failing later.
     *
     * @param input the job's {@code input}, parsed already
     * @throws InvalidInputException with a message that tells the client what is wrong
     */
    default void validate(JobInput input) {
    }

    /**
     * Whether the top-level {@code "usage"} of this task's results is the task's own account of what
     * a job used (a model's tokens, compute and cost), which the store adds to the tenant's usage
     * and budget. A task whose result carries what the client sent (echo) must say no, or a client
     * could write its own usage; a task that says no adds nothing to usage.
     */
    default boolean reportsUsage() {
        return false;
    }

    /**
     * What a job with this input is expected to cost at most, in price units, for its tenant's
     * budget: reserved at submit and settled to the real cost when it completes. Empty when the task
     * cannot tell (the configured default reservation is held instead). Called only for tenants
     * with a budget, after {@link #validate}.
     */
    default OptionalDouble estimateCost(JobInput input, Priority priority) {
        return OptionalDouble.empty();
    }

    /**
     * Runs a batch. Returns exactly one outcome per job, in the order given.
     *
     * @throws Exception on a failure that should retry every job of the batch
     */
    List<Outcome> run(List<Job> batch) throws Exception;

    /** One job's work, for {@link #eachJob}. */
    @FunctionalInterface
    interface JobWork {
        Outcome run(Job job) throws Exception;
    }

    /**
     * Runs a batch one job at a time: a job whose input turns out invalid fails with the reason,
     * the others run. The loop every handler that does not batch shares.
     */
    static List<Outcome> eachJob(List<Job> batch, JobWork work) throws Exception {
        var out = new ArrayList<Outcome>(batch.size());
        for (var job : batch) {
            try {
                out.add(work.run(job));
            } catch (InvalidInputException e) {
                out.add(Outcome.failed(e.getMessage()));
            }
        }
        return out;
    }
}
