package io.spillway.core.store;

import io.spillway.core.JobRef;
import io.spillway.core.JobState;
import io.spillway.core.Lifecycle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One fenced store write that moves a job from {@code from} to {@code to}: applied only when the
 * job is still in {@code from} under {@code ref.attempt()}. Decided by {@link Lifecycle}; the
 * store only applies it. A change the lifecycle does not allow cannot be constructed.
 *
 * @param attemptAfter the job's attempt count after the change: {@code ref.attempt()}, or one
 *                     less when a claim is handed back unrun (a release or a postponement
 *                     spends no attempt)
 * @param result       the result to record (completed), else null
 * @param error        the error to record, or null to clear it
 * @param runAt        when the job may run again (a move back to pending), else null
 * @param tenant       the job's tenant, which an encrypting store binds the result and error to;
 *                     null where nothing is encrypted (a store's own tests)
 * @param usage        what a completed job used, which the store adds to its tenant's usage of
 *                     the day ({@link UsageRow}) when the change applies; else null
 */
public record StateChange(JobRef ref, JobState from, JobState to, int attemptAfter, String result, String error,
                          Instant runAt, String tenant, JobUsage usage) {
    public StateChange {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!Lifecycle.canMove(from, to)) {
            throw new IllegalArgumentException("a job cannot move from " + from.wireName() + " to " + to.wireName());
        }
        if (to == JobState.PENDING) {
            Objects.requireNonNull(runAt, "runAt is required to move a job back to pending");
        }
        if (attemptAfter != ref.attempt() && !(from == JobState.PROCESSING && to == JobState.PENDING
                && attemptAfter == ref.attempt() - 1)) {
            throw new IllegalArgumentException("only a release or a postponement gives back an attempt; attempt " + ref.attempt()
                    + " cannot become " + attemptAfter);
        }
        if (usage != null && to != JobState.COMPLETED) {
            throw new IllegalArgumentException("only a completion records usage");
        }
    }

    /** A change that records no usage. */
    public StateChange(JobRef ref, JobState from, JobState to, int attemptAfter, String result, String error, Instant runAt,
                       String tenant) {
        this(ref, from, to, attemptAfter, result, error, runAt, tenant, null);
    }

    /** A change that names no tenant. */
    public StateChange(JobRef ref, JobState from, JobState to, int attemptAfter, String result, String error, Instant runAt) {
        this(ref, from, to, attemptAfter, result, error, runAt, null, null);
    }

    /** This change with its result and error replaced (as an encrypting store writes them). */
    public StateChange withOutcome(String newResult, String newError) {
        return new StateChange(ref, from, to, attemptAfter, newResult, newError, runAt, tenant, usage);
    }

    /** This completion recording what the job used. */
    public StateChange withUsage(JobUsage u) {
        return new StateChange(ref, from, to, attemptAfter, result, error, runAt, tenant, u);
    }

    /** The usages of the changes that applied ({@code applied} in the order of {@code changes}). */
    public static List<JobUsage> usagesApplied(List<StateChange> changes, List<Boolean> applied) {
        var out = new ArrayList<JobUsage>();
        for (int i = 0; i < changes.size(); i++) {
            if (applied.get(i) && changes.get(i).usage() != null) {
                out.add(changes.get(i).usage());
            }
        }
        return out;
    }

    /** Whether the change ends the job. */
    public boolean isTerminal() {
        return to.isTerminal();
    }
}
