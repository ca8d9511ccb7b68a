package io.spillway.store.testkit;

import io.spillway.core.crypto.EncryptedJobStore;
import io.spillway.core.crypto.MasterKeys;
import io.spillway.core.store.Attachment;
import io.spillway.core.store.InMemoryJobStore;
import io.spillway.core.store.JobStore;
import java.io.IOException;
import java.util.Base64;

/** The encrypting decorator passes the contract every store passes, over the in-memory store. */
class EncryptedInMemoryJobStoreTest extends JobStoreContract {
    private InMemoryJobStore inner;

    @Override
    protected JobStore openStore() {
        inner = new InMemoryJobStore();
        return new EncryptedJobStore(inner, MasterKeys.parse("test " + Base64.getEncoder().encodeToString(new byte[32])));
    }

    /** The head as the inner store holds it: the decorator's header, not the plaintext. */
    @Override
    protected byte[] storedHead(Attachment a, int n) throws IOException {
        try (var in = inner.attachmentRead(a)) {
            return in.readNBytes(n);
        }
    }
}
