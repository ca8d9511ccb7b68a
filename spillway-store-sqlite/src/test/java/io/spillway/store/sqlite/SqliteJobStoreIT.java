package io.spillway.store.sqlite;

import static io.spillway.store.testkit.NewJobs.aNewJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.JobState;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.StoreException;
import io.spillway.store.testkit.JobStoreContract;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobStoreIT extends JobStoreContract {
    @TempDir
    Path dir;

    @Override
    protected JobStore openStore() {
        return SqliteJobStore.open(dir.resolve("jobs.db"), Durability.CRASH);
    }

    @Test
    void open_isRefusedWhileAnotherStoreHoldsTheFile() {
        assertThatThrownBy(() -> SqliteJobStore.open(dir.resolve("jobs.db"), Durability.CRASH))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("in use by another Spillway process");
    }

    @Test
    void reopen_keepsCommittedJobsWithFsyncDurability() {
        store.close();
        var file = dir.resolve("durable.db");
        var nj = aNewJob().build();
        try (var s = SqliteJobStore.open(file, Durability.FSYNC)) {
            s.jobInsertMany(new InsertParams(List.of(nj), T0));
        }
        try (var s = SqliteJobStore.open(file, Durability.CRASH)) {
            assertThat(s.jobGet("default", nj.id())).get().extracting(j -> j.state()).isEqualTo(JobState.PENDING);
        }
        store = openStore();
    }
}
