package io.spillway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {

    @Test
    void next_isAVersion7UuidThatSortsByCreation() {
        var fixed = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
        var ids = new JobIds(fixed);
        var made = new ArrayList<String>();
        for (int i = 0; i < 10_000; i++) {
            made.add(ids.next());
        }
        var sorted = new ArrayList<>(made);
        sorted.sort(null);

        assertThat(sorted).isEqualTo(made);
        assertThat(new HashSet<>(made)).hasSize(10_000);
        assertThat(UUID.fromString(made.getFirst()).version()).isEqualTo(7);
        assertThat(made).allMatch(JobIds::looksLikeId);
    }

    @Test
    void looksLikeId_rejectsAnythingElse() {
        assertThat(JobIds.looksLikeId("not-an-id")).isFalse();
        assertThat(JobIds.looksLikeId(null)).isFalse();
        assertThat(JobIds.looksLikeId("0190a4c2-7b1e-7abc-8def-0123456789AB")).isFalse();
        assertThat(JobIds.looksLikeId("0190a4c2-7b1e-7abc-8def-0123456789ab")).isTrue();
    }
}
