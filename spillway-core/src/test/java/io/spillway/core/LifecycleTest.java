package io.spillway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.json.JobInput;
import io.spillway.core.store.StateChange;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LifecycleTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(7));

    private static Job processing(int attempt, int maxAttempts) {
        return new Job("id", "default", "echo", JobState.PROCESSING, Priority.STANDARD, JobInput.ofJson("{}"), null, attempt,
                maxAttempts, NOW, NOW, null, NOW.plusSeconds(30), NOW, null, null, null, null, null, null);
    }

    @ParameterizedTest
    @EnumSource(JobState.class)
    void canMove_nothingLeavesATerminalState(JobState to) {
        for (JobState from : JobState.values()) {
            if (from.isTerminal()) {
                assertThat(Lifecycle.canMove(from, to)).as(from + " -> " + to).isFalse();
            }
        }
    }

    @Test
    void canMove_followsTheDocumentedGraph() {
        assertThat(Lifecycle.canMove(JobState.PENDING, JobState.PROCESSING)).isTrue();
        assertThat(Lifecycle.canMove(JobState.PENDING, JobState.CANCELLED)).isTrue();
        assertThat(Lifecycle.canMove(JobState.PENDING, JobState.EXPIRED)).isTrue();
        assertThat(Lifecycle.canMove(JobState.PENDING, JobState.COMPLETED)).isFalse();
        assertThat(Lifecycle.canMove(JobState.PROCESSING, JobState.PENDING)).isTrue();
        assertThat(Lifecycle.canMove(JobState.PROCESSING, JobState.COMPLETED)).isTrue();
        assertThat(Lifecycle.canMove(JobState.PROCESSING, JobState.EXPIRED)).isFalse();
    }

    @Test
    void finish_completedStoresTheResult() {
        var f = Lifecycle.finish(processing(1, 3), Outcome.completed("{\"r\":1}"), NOW, backoff);

        assertThat(f).isEqualTo(new StateChange(new JobRef("id", 1), JobState.PROCESSING, JobState.COMPLETED, 1,
                "{\"r\":1}", null, null, "default"));
    }

    @Test
    void finish_retryBacksOffWhileAttemptsRemain() {
        var f = Lifecycle.finish(processing(2, 3), Outcome.retry("timeout"), NOW, backoff);

        assertThat(f.to()).isEqualTo(JobState.PENDING);
        assertThat(f.error()).isEqualTo("timeout");
        assertThat(Duration.between(NOW, f.runAt())).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void finish_retryHonoursAnExplicitDelay() {
        var f = Lifecycle.finish(processing(1, 3), new Outcome.Retry(Duration.ofSeconds(42), "429"), NOW, backoff);

        assertThat(f.runAt()).isEqualTo(NOW.plusSeconds(42));
    }

    @Test
    void finish_retryOnTheLastAttemptFailsWithTheError() {
        var f = Lifecycle.finish(processing(3, 3), Outcome.retry("timeout"), NOW, backoff);

        assertThat(f.to()).isEqualTo(JobState.FAILED);
        assertThat(f.error()).isEqualTo("failed after 3 attempts: timeout");
    }

    @Test
    void finish_failedAndCancelledAreFinal() {
        assertThat(Lifecycle.finish(processing(1, 3), Outcome.failed("bad"), NOW, backoff).to())
                .isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.finish(processing(1, 3), new Outcome.Cancelled("no"), NOW, backoff).to())
                .isEqualTo(JobState.CANCELLED);
    }

    @Test
    void rescue_runsAgainWhileAttemptsRemainAndFailsOnTheLast() {
        var again = Lifecycle.rescue(processing(1, 2), NOW);
        var last = Lifecycle.rescue(processing(2, 2), NOW);

        assertThat(again.to()).isEqualTo(JobState.PENDING);
        assertThat(again.runAt()).isEqualTo(NOW);
        assertThat(again.error()).startsWith("attempt 1 stopped: its worker went away before finishing");
        assertThat(last.to()).isEqualTo(JobState.FAILED);
        assertThat(last.error()).startsWith("failed after 2 attempts: the last worker went away");
    }

    @Test
    void release_givesTheAttemptBack() {
        var release = Lifecycle.release(processing(1, 1), NOW);

        assertThat(release.to()).isEqualTo(JobState.PENDING);
        assertThat(release.attemptAfter()).isZero();
        assertThat(release.ref().attempt()).isEqualTo(1);
    }

    @Test
    void aPostponedJob_waitsPendingAndGetsItsAttemptBackEvenTheLast() {
        var change = Lifecycle.finish(processing(3, 3), Outcome.postponed(Duration.ofSeconds(30), "waiting for a text model"),
                NOW, backoff);

        assertThat(change.to()).isEqualTo(JobState.PENDING);
        assertThat(change.attemptAfter()).isEqualTo(2);
        assertThat(change.runAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(change.error()).isEqualTo("waiting for a text model");
    }

    @Test
    void expireAndCancel_movePendingJobsOnly() {
        var pending = new Job("id", "default", "echo", JobState.PENDING, Priority.STANDARD, JobInput.ofJson("{}"), null, 0, 3, NOW, NOW,
                NOW, null, null, null, null, null, null, null, null);

        assertThat(Lifecycle.expire(pending).to()).isEqualTo(JobState.EXPIRED);
        assertThat(Lifecycle.cancel(pending).error()).isEqualTo("cancelled by the client");
        assertThatThrownBy(() -> Lifecycle.cancel(processing(1, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is processing, so it cannot move from pending to cancelled");
    }

    @Test
    void stateChange_refusesMovesTheTableForbidsAndAttemptsGivenBackOutsideARelease() {
        var ref = new JobRef("id", 2);

        assertThatThrownBy(() -> new StateChange(ref, JobState.COMPLETED, JobState.PENDING, 2, null, null, NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StateChange(ref, JobState.PROCESSING, JobState.FAILED, 1, null, "x", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a release");
    }
}
