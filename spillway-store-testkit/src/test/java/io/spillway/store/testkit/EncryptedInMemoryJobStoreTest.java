package io.spillway.store.testkit;

import io.spillway.core.crypto.EncryptedJobStore;
import io.spillway.core.crypto.MasterKeys;
import io.spillway.core.store.InMemoryJobStore;
import io.spillway.core.store.JobStore;
import java.util.Base64;

/** The encrypting decorator passes the contract every store passes, over the in-memory store. */
class EncryptedInMemoryJobStoreTest extends JobStoreContract {
    @Override
    protected JobStore openStore() {
        return new EncryptedJobStore(new InMemoryJobStore(),
                MasterKeys.parse("test " + Base64.getEncoder().encodeToString(new byte[32])));
    }
}
