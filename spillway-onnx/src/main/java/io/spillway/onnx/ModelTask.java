package io.spillway.onnx;

import io.spillway.core.task.TaskHandler;

/**
 * What the in-process model tasks share: the models and the text limits, a per-job
 * {@code "model"}, and input checked at submit by the same parse that runs the job.
 *
 * @param <R> a parsed, valid request
 */
public abstract class ModelTask<R> implements TaskHandler {
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

    @Override
    public final void validate(String inputJson) {
        parse(inputJson);
    }

    /**
     * Reads and checks a job's input.
     *
     * @throws io.spillway.core.task.InvalidInputException saying what is wrong
     */
    abstract R parse(String inputJson);
}
