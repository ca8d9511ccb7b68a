package io.spillway.core.builtin;

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
 * {@code sleep}: waits {@code input.ms} milliseconds (0 to 60,000), then completes with
 * {@code {"slept_ms": ms}}. It stands in for a model in load tests and failure drills: a batch
 * sleeps once, for its longest job, like one batched model call. Thread-safe.
 */
public final class SleepTask implements TaskHandler {
    public static final String NAME = "sleep";

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
        return 64;
    }

    @Override
    public void validate(JobInput input) {
        millis(input);
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws InterruptedException {
        long longest = 0;
        var out = new ArrayList<Outcome>(batch.size());
        for (Job j : batch) {
            try {
                long ms = millis(j.input());
                longest = Math.max(longest, ms);
                out.add(Outcome.completed("{\"slept_ms\":" + ms + "}"));
            } catch (InvalidInputException e) {
                out.add(Outcome.failed(e.getMessage()));
            }
        }
        Thread.sleep(longest);
        return out;
    }

    /** The {@code ms} field: a whole number of milliseconds from 0 to 60,000. */
    static long millis(JobInput input) {
        if (input.field("ms") == null) {
            throw new InvalidInputException("'ms' must be a whole number of milliseconds from 0 to 60000");
        }
        return input.intIn("ms", 0, 0, 60_000);
    }
}
