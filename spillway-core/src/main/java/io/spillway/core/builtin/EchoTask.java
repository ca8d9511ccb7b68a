package io.spillway.core.builtin;

import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.task.TaskHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * {@code echo}: the result is the job's input. No model; used to test and measure the engine
 * itself. Thread-safe.
 */
public final class EchoTask implements TaskHandler {
    public static final String NAME = "echo";

    /** Costs nothing: no model is involved. */
    @Override
    public OptionalDouble estimateCost(JobInput input, Priority priority) {
        return OptionalDouble.of(0);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return 256;
    }

    @Override
    public List<Outcome> run(List<Job> batch) {
        var outcomes = new ArrayList<Outcome>(batch.size());
        for (Job job : batch) {
            outcomes.add(new Outcome.Completed(job.input().json())); // never parsed: echo measures the engine
        }
        return outcomes;
    }
}
