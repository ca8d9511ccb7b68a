package io.spillway.core;

import io.spillway.core.store.StateChange;
import java.time.Instant;

/**
 * The job lifecycle in one place: which moves are allowed, and every decision that moves a job
 * (a handler's outcome, a rescue, an expiry, a cancel, a release), with its error text. Stores
 * apply what is decided here and decide nothing themselves; {@link StateChange} refuses a move
 * this table does not allow.
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
     * What recording {@code outcome} does to {@code job}, a job this worker claimed. A
     * {@link Outcome.Retry} on the last attempt becomes {@code failed} with the retry's error.
     */
    public static StateChange finish(Job job, Outcome outcome, Instant now, Backoff backoff) {
        return switch (outcome) {
            case Outcome.Completed c -> fromProcessing(job, JobState.COMPLETED, c.resultJson(), null, null);
            case Outcome.Failed f -> fromProcessing(job, JobState.FAILED, null, f.error(), null);
            case Outcome.Cancelled c -> fromProcessing(job, JobState.CANCELLED, null, c.reason(), null);
            case Outcome.Postponed p -> {
                expect(job, JobState.PROCESSING, JobState.PENDING);
                // nothing was tried: the attempt is given back, even the last
                yield new StateChange(job.ref(), JobState.PROCESSING, JobState.PENDING, job.attempt() - 1, null, p.reason(),
                        now.plus(p.delay()), job.tenant());
            }
            case Outcome.Retry r -> {
                if (job.attempt() >= job.maxAttempts()) {
                    yield fromProcessing(job, JobState.FAILED, null, "failed after " + attempts(job.attempt())
                            + ": " + r.error(), null);
                }
                var delay = r.delay() != null ? r.delay() : backoff.delayAfter(job.attempt());
                yield fromProcessing(job, JobState.PENDING, null, r.error(), now.plus(delay));
            }
        };
    }

    /**
     * A processing job whose lease ended: its worker went away. It runs again while attempts
     * remain (the lost attempt counts: the job may be what stopped the worker), else fails.
     */
    public static StateChange rescue(Job job, Instant now) {
        var lease = job.leaseUntil() == null ? "" : " (its lease ended at " + job.leaseUntil() + ")";
        if (job.attempt() < job.maxAttempts()) {
            return fromProcessing(job, JobState.PENDING, null, "attempt " + job.attempt()
                    + " stopped: its worker went away before finishing" + lease, now);
        }
        return fromProcessing(job, JobState.FAILED, null, "failed after " + attempts(job.attempt())
                + ": the last worker went away before finishing" + lease, null);
    }

    /**
     * A claimed job handed back unrun or abandoned when its worker stops (shutdown): pending at
     * once, and the attempt is given back, since the job did not fail. The worker records nothing
     * more for this claim afterwards.
     */
    public static StateChange release(Job job, Instant now) {
        expect(job, JobState.PROCESSING, JobState.PENDING);
        return new StateChange(job.ref(), JobState.PROCESSING, JobState.PENDING, job.attempt() - 1, null, job.error(), now,
                job.tenant());
    }

    /** A pending job whose deadline passed before it started. */
    public static StateChange expire(Job job) {
        return fromPending(job, JobState.EXPIRED, "the deadline passed before the job started");
    }

    /** A pending job cancelled by its client. */
    public static StateChange cancel(Job job) {
        return fromPending(job, JobState.CANCELLED, "cancelled by the client");
    }

    private static StateChange fromProcessing(Job job, JobState to, String result, String error, Instant runAt) {
        expect(job, JobState.PROCESSING, to);
        return new StateChange(job.ref(), JobState.PROCESSING, to, job.attempt(), result, error, runAt, job.tenant());
    }

    private static StateChange fromPending(Job job, JobState to, String error) {
        expect(job, JobState.PENDING, to);
        return new StateChange(job.ref(), JobState.PENDING, to, job.attempt(), null, error, null, job.tenant());
    }

    private static void expect(Job job, JobState state, JobState to) {
        if (job.state() != state) {
            throw new IllegalArgumentException("job " + job.id() + " is " + job.state().wireName() + ", so it cannot move"
                    + " from " + state.wireName() + " to " + to.wireName());
        }
    }

    private static String attempts(int n) {
        return n + " attempt" + (n == 1 ? "" : "s");
    }
}
