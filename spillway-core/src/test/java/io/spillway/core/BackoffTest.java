package io.spillway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delayAfter_doublesWithEqualJitterUpToTheMax() {
        long seed = System.nanoTime();
        var backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3), new SplittableRandom(seed));
        for (int attempt = 1; attempt <= 70; attempt++) {
            long step = Math.min(3000, 100L << Math.min(attempt - 1, 40));
            for (int i = 0; i < 50; i++) {
                long d = backoff.delayAfter(attempt).toMillis();
                assertThat(d).as("seed %d attempt %d", seed, attempt).isBetween(step / 2, step);
            }
        }
    }

    @Test
    void delayAfter_spreadsRetries() {
        var backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), new SplittableRandom(1));
        var seen = new HashSet<Long>();
        for (int i = 0; i < 100; i++) {
            seen.add(backoff.delayAfter(4).toMillis());
        }
        assertThat(seen).hasSizeGreaterThan(50);
    }

    @Test
    void constructor_rejectsNonsense() {
        var r = new SplittableRandom(1);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), r))
                .hasMessageContaining("base must be positive");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), r))
                .hasMessageContaining("below base");
        var b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), r);
        assertThatThrownBy(() -> b.delayAfter(0)).hasMessageContaining("attempt must be >= 1");
    }
}
