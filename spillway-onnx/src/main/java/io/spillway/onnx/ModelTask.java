package io.spillway.onnx;

import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What the in-process model tasks share: the models and the text limits, a per-job
 * {@code "model"}, and input checked at submit by the same parse that runs the job.
 *
 * @param <R> a parsed, valid request
 * @param <S> the work a request started, to wait for
 */
public abstract class ModelTask<R, S> implements TaskHandler {
    protected final Models models;
    protected final TextLimits limits;

    protected ModelTask(Models models, TextLimits limits) {
        this.models = models;
        this.limits = limits;
    }

    @Override
    public final boolean usesModels() {
        return true;
    }

    /** The usage in the result is the model's, written by the task. */
    @Override
    public final boolean reportsUsage() {
        return true;
    }

    @Override
    public final OptionalDouble estimateCost(JobInput input, Priority priority) {
        return models.estimateJobCost();
    }

    @Override
    public final void validate(JobInput input) {
        parse(input);
    }

    /**
     * Reads and checks a job's input.
     *
     * @throws InvalidInputException saying what is wrong
     */
    abstract R parse(JobInput input);

    /**
     * Starts a valid request's model work without waiting for it (queues its texts on a model
     * runner), so the texts of a whole batch queue together; or returns the request when the work
     * is done in {@link #finish}.
     */
    abstract S start(R request);

    /** Waits for the work {@link #start} began and answers the job's result, as JSON. */
    abstract String finish(R request, S started) throws InterruptedException;

    /**
     * Runs a batch: starts every job whose input is valid before finishing any; a job whose input
     * is not valid fails with the reason.
     */
    @Override
    public final List<Outcome> run(List<Job> batch) throws InterruptedException {
        var requests = new ArrayList<R>(batch.size());
        var started = new ArrayList<S>(batch.size());
        var out = new ArrayList<Outcome>(batch.size());
        for (Job job : batch) {
            try {
                var request = parse(job.input());
                requests.add(request);
                started.add(start(request));
                out.add(null);
            } catch (InvalidInputException e) {
                requests.add(null);
                started.add(null);
                out.add(Outcome.failed(e.getMessage()));
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            if (requests.get(i) != null) {
                out.set(i, Outcome.completed(finish(requests.get(i), started.get(i))));
            }
        }
        return out;
    }
}
