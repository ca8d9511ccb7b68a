package io.spillway.core.keys;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where API keys live: in the job store, so every gateway sharing it sees the same keys and a
 * revocation everywhere. Each method is one transaction.
 */
public interface KeyStore {

    /**
     * Adds a key.
     *
     * @throws io.spillway.core.store.StoreException when a key with its id exists
     */
    void keyInsert(ApiKey key);

    /** The key with this id, active or not. */
    Optional<ApiKey> keyGet(String id);

    /** Every key, revoked and expired ones included, oldest first. */
    List<ApiKey> keyList();

    /** Revokes the key at {@code at}; false when there is no such key or it was revoked before. */
    boolean keyRevoke(String id, Instant at);

    /**
     * Whether any key was ever created here (revoked and expired ones count): once one was, the
     * API takes keys only, so revoking the last key closes it rather than opening it.
     */
    boolean keyExists();
}
