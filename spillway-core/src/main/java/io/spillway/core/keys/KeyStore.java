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

    /**
     * Takes up to {@code want} requests from the key's shared token bucket (capacity
     * {@code capacity}, refilled at {@code ratePerSecond}, as of {@code now}) and returns how many it
     * gave: what a gateway may admit for the key before it asks again. A store that several
     * processes share keeps the bucket (one for all of them); a store only this process uses has
     * none and gives all it is asked for, since the process's own bucket then counts every request.
     */
    default int keyRateTake(String keyId, double ratePerSecond, double capacity, int want, Instant now) {
        return want;
    }
}
