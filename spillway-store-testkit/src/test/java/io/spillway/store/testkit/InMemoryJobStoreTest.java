package io.spillway.store.testkit;

import io.spillway.core.store.InMemoryJobStore;
import io.spillway.core.store.JobStore;

/** The in-memory store passes the same contract as the SQL stores. */
class InMemoryJobStoreTest extends JobStoreContract {
    @Override
    protected JobStore openStore() {
        return new InMemoryJobStore();
    }
}
