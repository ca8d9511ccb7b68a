package io.spillway.core.tasks;

import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code sleep}: waits {@code input.ms} milliseconds (0 to 60,000), then completes with
 * {@code {"slept_ms": ms}}. It stands in for a model in load tests and failure drills: a batch
 * sleeps once, for its longest job, like one batched model call. Thread-safe.
 */
public final class SleepTask implements TaskHandler {
    public static final String NAME = "sleep";
    private static final Pattern MS = Pattern.compile("\"ms\"\\s*:\\s*(\\d{1,5})\\s*[,}]");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return 64;
    }

    @Override
    public void validate(String inputJson) {
        long ms = millis(inputJson);
        if (ms < 0 || ms > 60_000) {
            throw new InvalidInputException("'ms' must be a whole number of milliseconds from 0 to 60000");
        }
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws InterruptedException {
        long longest = 0;
        for (Job j : batch) {
            longest = Math.max(longest, millis(j.input()));
        }
        Thread.sleep(longest);
        var out = new ArrayList<Outcome>(batch.size());
        for (Job j : batch) {
            out.add(Outcome.completed("{\"slept_ms\":" + millis(j.input()) + "}"));
        }
        return out;
    }

    /** The {@code ms} field of a flat input object, or -1 when it is missing or not a small whole number. */
    static long millis(String inputJson) {
        var m = MS.matcher(inputJson);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
