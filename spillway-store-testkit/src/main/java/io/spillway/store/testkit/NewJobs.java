package io.spillway.store.testkit;

import io.spillway.core.JobIds;
import io.spillway.core.NewJob;
import io.spillway.core.json.JobInput;
import io.spillway.core.Priority;
import java.time.Instant;
import java.time.InstantSource;

/** Object mother for {@link NewJob}: {@code aNewJob().task("x").build()}. Not thread-safe. */
public final class NewJobs {
    private static final JobIds IDS = new JobIds(InstantSource.system());

    private String id = IDS.next();
    private String tenant = "default";
    private String task = "echo";
    private String input = "{\"n\":1}";
    private Priority priority = Priority.STANDARD;
    private int maxAttempts = 3;
    private Instant deadline;
    private String metadata;
    private String idempotencyKey;
    private String requestHash;
    private String traceparent;
    private long reservation;

    private NewJobs() {
    }

    public static NewJobs aNewJob() {
        return new NewJobs();
    }

    public NewJobs id(String v) {
        id = v;
        return this;
    }

    public NewJobs tenant(String v) {
        tenant = v;
        return this;
    }

    public NewJobs task(String v) {
        task = v;
        return this;
    }

    public NewJobs input(String v) {
        input = v;
        return this;
    }

    public NewJobs priority(Priority v) {
        priority = v;
        return this;
    }

    public NewJobs maxAttempts(int v) {
        maxAttempts = v;
        return this;
    }

    public NewJobs deadline(Instant v) {
        deadline = v;
        return this;
    }

    public NewJobs metadata(String v) {
        metadata = v;
        return this;
    }

    public NewJobs idempotencyKey(String key, String hash) {
        idempotencyKey = key;
        requestHash = hash;
        return this;
    }

    public NewJobs traceparent(String v) {
        traceparent = v;
        return this;
    }

    /** What the job reserves of its tenant's budget, in nanos of a price unit. */
    public NewJobs reservation(long nanos) {
        reservation = nanos;
        return this;
    }

    public NewJob build() {
        return new NewJob(id, tenant, task, JobInput.ofJson(input), priority, maxAttempts, deadline, metadata, idempotencyKey, requestHash,
                traceparent, reservation);
    }
}
