package io.spillway.core.engine;

import io.spillway.core.Job;
import io.spillway.core.JobState;
import java.time.Instant;
import java.util.List;

/**
 * What the engine reports as it works, for metrics. Every method has an empty default; calls
 * come from the engine's own threads (accepter, completer, workers, maintenance) and must be
 * quick and must not throw.
 */
public interface EngineListener {
    EngineListener NONE = new EngineListener() {
    };

    /** A listener that tells each of {@code listeners}, in order. */
    static EngineListener all(EngineListener... listeners) {
        var copy = List.of(listeners);
        return new EngineListener() {
            @Override
            public void accepted(String task, int count) {
                copy.forEach(l -> l.accepted(task, count));
            }

            @Override
            public void finished(Job claimed, JobState state, Instant now) {
                copy.forEach(l -> l.finished(claimed, state, now));
            }

            @Override
            public void dropped(Job job, JobState state) {
                copy.forEach(l -> l.dropped(job, state));
            }

            @Override
            public void batchRan(String task, int size, long nanos) {
                copy.forEach(l -> l.batchRan(task, size, nanos));
            }

            @Override
            public void committed(String writer, int size, long nanos) {
                copy.forEach(l -> l.committed(writer, size, nanos));
            }

            @Override
            public void leasesExpired(int count) {
                copy.forEach(l -> l.leasesExpired(count));
            }

            @Override
            public void staleOutcome() {
                copy.forEach(EngineListener::staleOutcome);
            }
        };
    }

    /** New jobs of {@code task} were committed. */
    default void accepted(String task, int count) {
    }

    /**
     * A claimed job's outcome was recorded at {@code now}: a terminal state, or {@code pending}
     * for a retry. {@code claimed} is the job as claimed (its {@code startedAt} is this attempt's).
     */
    default void finished(Job claimed, JobState state, Instant now) {
    }

    /** A job left the queue without running: cancelled or expired. */
    default void dropped(Job job, JobState state) {
    }

    /** A handler ran a batch of {@code size} jobs in {@code nanos}. */
    default void batchRan(String task, int size, long nanos) {
    }

    /** A group-commit writer ({@code accept} or {@code complete}) wrote {@code size} items in {@code nanos}. */
    default void committed(String writer, int size, long nanos) {
    }

    /** Jobs whose lease expired were moved back to the queue (or failed). */
    default void leasesExpired(int count) {
    }

    /** An outcome arrived for a claim that was no longer current, and was discarded. */
    default void staleOutcome() {
    }
}
