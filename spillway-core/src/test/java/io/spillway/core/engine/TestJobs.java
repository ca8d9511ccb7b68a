package io.spillway.core.engine;

import io.spillway.core.JobIds;
import io.spillway.core.NewJob;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import java.time.Instant;
import java.time.InstantSource;

/** Object mother for the engine's tests: {@code aNewJob("echo").maxAttempts(3).build()}. */
final class TestJobs {
    private static final JobIds IDS = new JobIds(InstantSource.system());

    private final String task;
    private String input = "{}";
    private int maxAttempts = 3;
    private Instant deadline;
    private Priority priority = Priority.STANDARD;
    private String tenant = "default";

    private TestJobs(String task) {
        this.task = task;
    }

    static TestJobs aNewJob(String task) {
        return new TestJobs(task);
    }

    TestJobs input(String json) {
        this.input = json;
        return this;
    }

    TestJobs maxAttempts(int n) {
        this.maxAttempts = n;
        return this;
    }

    TestJobs priority(Priority p) {
        this.priority = p;
        return this;
    }

    TestJobs tenant(String t) {
        this.tenant = t;
        return this;
    }

    TestJobs deadline(Instant at) {
        this.deadline = at;
        return this;
    }

    NewJob build() {
        return new NewJob(IDS.next(), tenant, task, JobInput.ofJson(input), priority, maxAttempts, deadline, null, null, null, null);
    }
}
