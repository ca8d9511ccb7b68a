package io.spillway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.core.store.Finish;
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
        return new Job("id", "default", "echo", JobState.PROCESSING, Priority.STANDARD, "{}", null, attempt,
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
    void transitionFor_completedStoresTheResult() {
        var f = Lifecycle.transitionFor(processing(1, 3), Outcome.completed("{\"r\":1}"), NOW, backoff);

        assertThat(f).isEqualTo(Finish.completed(new JobRef("id", 1), "{\"r\":1}"));
    }

    @Test
    void transitionFor_retryBacksOffWhileAttemptsRemain() {
        var f = Lifecycle.transitionFor(processing(2, 3), Outcome.retry("timeout"), NOW, backoff);

        assertThat(f.state()).isEqualTo(JobState.PENDING);
        assertThat(f.error()).isEqualTo("timeout");
        assertThat(Duration.between(NOW, f.runAt())).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void transitionFor_retryHonoursAnExplicitDelay() {
        var f = Lifecycle.transitionFor(processing(1, 3), new Outcome.Retry(Duration.ofSeconds(42), "429"), NOW, backoff);

        assertThat(f.runAt()).isEqualTo(NOW.plusSeconds(42));
    }

    @Test
    void transitionFor_retryOnTheLastAttemptFailsWithTheError() {
        var f = Lifecycle.transitionFor(processing(3, 3), Outcome.retry("timeout"), NOW, backoff);

        assertThat(f.state()).isEqualTo(JobState.FAILED);
        assertThat(f.error()).isEqualTo("failed after 3 attempts: timeout");
    }

    @Test
    void transitionFor_failedAndCancelledAreFinal() {
        assertThat(Lifecycle.transitionFor(processing(1, 3), Outcome.failed("bad"), NOW, backoff).state())
                .isEqualTo(JobState.FAILED);
        assertThat(Lifecycle.transitionFor(processing(1, 3), new Outcome.Cancelled("no"), NOW, backoff).state())
                .isEqualTo(JobState.CANCELLED);
    }
}
