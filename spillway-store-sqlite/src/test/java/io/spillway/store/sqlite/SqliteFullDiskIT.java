package io.spillway.store.sqlite;

import static io.spillway.store.testkit.NewJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.NewJob;
import io.spillway.core.store.Attachment;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.ListParams;
import io.spillway.core.store.StoreException;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that runs out of space: SQLite's page limit stands in for a full disk (the same
 * SQLITE_FULL error). A refused write leaves nothing behind, the store says it cannot write, and
 * it heals by itself once space returns, without a restart.
 */
class SqliteFullDiskIT {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** 4 MiB of 4 KiB pages. */
    private static final int MAX_PAGES = 1024;

    @TempDir
    Path dir;

    private SqliteJobStore store;

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aFullStore_refusesWritesWhole_saysItCannotWrite_andRecoversWhenSpaceReturns() throws Exception {
        store = SqliteJobStore.open(dir.resolve("jobs.db"), Durability.CRASH, 2, c -> c.setMaxPageCount(MAX_PAGES));
        var fillers = fillUp();
        int stored = countJobs();

        var batch = new ArrayList<NewJob>();
        for (int i = 0; i < 20; i++) {
            batch.add(aNewJob().input("{\"pad\":\"" + "x".repeat(100_000) + "\"}").build());
        }
        assertThatThrownBy(() -> store.jobInsertMany(new InsertParams(batch, T0)))
                .isInstanceOf(StoreException.class).hasMessageContaining("full");

        assertThat(countJobs()).as("a refused write stores nothing").isEqualTo(stored);
        assertThat(batch).allSatisfy(j -> assertThat(store.jobGet("default", j.id())).isEmpty());
        assertThatThrownBy(store::ping).as("readiness: the store cannot write").hasMessageContaining("full");

        fillers.forEach(store::attachmentDeleteAll); // space returns

        store.ping();
        var later = aNewJob().build();
        assertThat(store.jobInsertMany(new InsertParams(List.of(later), T0)).getFirst().created()).isTrue();
        assertThat(store.jobGet("default", later.id())).isPresent();
    }

    /** Writes attachments, smaller and smaller, until not even a small one fits; returns their job ids. */
    private List<String> fillUp() {
        var ids = new ArrayList<String>();
        for (int size : new int[] {Attachment.CHUNK_BYTES, 16 * 1024, 1024}) {
            var bytes = new byte[size];
            new SplittableRandom(size).nextBytes(bytes);
            for (boolean fits = true; fits; ) {
                var id = aNewJob().build().id();
                try {
                    store.attachmentWrite(id, "filler", null, new ByteArrayInputStream(bytes), T0);
                    ids.add(id);
                    assertThat(ids).as("the store never filled up").hasSizeLessThan(MAX_PAGES * 4);
                } catch (Exception full) {
                    assertThat(full).hasMessageContaining("full");
                    fits = false;
                }
            }
        }
        return ids;
    }

    private int countJobs() {
        return store.jobList(new ListParams("default", null, null, 1000, null)).jobs().size();
    }
}
