package io.spillway.server;

import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.task.TaskHandler;
import java.util.List;

/** Task {@code broken}: every job fails at once with "always broken", without a retry. */
public final class BrokenTask implements TaskHandler {
    @Override
    public String name() {
        return "broken";
    }

    @Override
    public List<Outcome> run(List<Job> batch) {
        return batch.stream().map(j -> Outcome.failed("always broken")).toList();
    }
}
