package io.spillway.core;

import io.spillway.core.store.Finish;
import java.time.Instant;

/**
 * The job lifecycle in one place: which moves are allowed, and what a handler's
 * {@link Outcome} turns into.
 *
 * <pre>
 * pending    -> processing (claim) | cancelled (client) | expired (deadline passed)
 * processing -> completed | failed | cancelled (outcome)
 *             | pending (retry after backoff, lease expired, released on shutdown)
 *             | failed (lease expired on the last attempt)
 * terminal   -> nothing
 * </pre>
 */
public final class Lifecycle {
    private Lifecycle() {
    }

    /** True when a job may move from {@code from} to {@code to} in one store write. */
    public static boolean canMove(JobState from, JobState to) {
        return switch (from) {
            case PENDING -> switch (to) {
                case PROCESSING, CANCELLED, EXPIRED -> true;
                case PENDING, COMPLETED, FAILED -> false;
            };
            case PROCESSING -> switch (to) {
                case PENDING, COMPLETED, FAILED, CANCELLED -> true;
                case PROCESSING, EXPIRED -> false;
            };
            case COMPLETED, FAILED, CANCELLED, EXPIRED -> false;
        };
    }

    /**
     * The store write that records {@code outcome} for {@code job}, a job this worker claimed.
     * A {@link Outcome.Retry} on the last attempt becomes {@code failed} with the retry's error.
     */
    public static Finish transitionFor(Job job, Outcome outcome, Instant now, Backoff backoff) {
        return switch (outcome) {
            case Outcome.Completed c -> Finish.completed(job.ref(), c.resultJson());
            case Outcome.Failed f -> Finish.failed(job.ref(), f.error());
            case Outcome.Cancelled c -> Finish.cancelled(job.ref(), c.reason());
            case Outcome.Retry r -> {
                if (job.attempt() >= job.maxAttempts()) {
                    yield Finish.failed(job.ref(), "failed after " + job.attempt() + " attempt"
                            + (job.attempt() == 1 ? "" : "s") + ": " + r.error());
                }
                var delay = r.delay() != null ? r.delay() : backoff.delayAfter(job.attempt());
                yield Finish.retry(job.ref(), r.error(), now.plus(delay));
            }
        };
    }
}
