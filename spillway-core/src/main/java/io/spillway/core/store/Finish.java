package io.spillway.core.store;

import io.spillway.core.JobRef;
import io.spillway.core.JobState;
import java.time.Instant;
import java.util.Objects;

/**
 * One fenced transition out of {@code processing}: applied only when the job is still
 * processing under {@code ref.attempt()}. {@code runAt} is set for a move back to pending.
 */
public record Finish(JobRef ref, JobState state, String result, String error, Instant runAt) {
    public Finish {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(state, "state");
        if (state == JobState.PROCESSING || state == JobState.EXPIRED) {
            throw new IllegalArgumentException("a worker cannot move a job to " + state.wireName());
        }
        if (state == JobState.PENDING) {
            Objects.requireNonNull(runAt, "runAt is required to move a job back to pending");
        }
    }

    public static Finish completed(JobRef ref, String result) {
        return new Finish(ref, JobState.COMPLETED, result, null, null);
    }

    public static Finish failed(JobRef ref, String error) {
        return new Finish(ref, JobState.FAILED, null, error, null);
    }

    public static Finish cancelled(JobRef ref, String reason) {
        return new Finish(ref, JobState.CANCELLED, null, reason, null);
    }

    public static Finish retry(JobRef ref, String error, Instant runAt) {
        return new Finish(ref, JobState.PENDING, null, error, runAt);
    }

    /** Hands a claimed job back unrun (shutdown): pending at once, error untouched. */
    public static Finish release(JobRef ref, Instant now) {
        return new Finish(ref, JobState.PENDING, null, null, now);
    }
}
