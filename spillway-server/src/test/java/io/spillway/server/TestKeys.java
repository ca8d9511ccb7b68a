package io.spillway.server;

import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.ApiKeys;
import io.spillway.core.keys.KeyScope;
import io.spillway.core.keys.KeyStore;
import java.time.Instant;
import java.util.Set;

/** API keys for tests, made as {@code spillway keys create} makes them. */
public final class TestKeys {
    private TestKeys() {
    }

    /** A new key of the tenant with these scopes (default: submit and read); returns the key itself. */
    public static String create(KeyStore keys, String tenant, KeyScope... scopes) {
        return create(keys, tenant, null, 0, scopes);
    }

    /** As {@link #create(KeyStore, String, KeyScope...)}, expiring at {@code expiresAt} (or never) and limited to a rate (0: none). */
    public static String create(KeyStore keys, String tenant, Instant expiresAt, double ratePerSecond, KeyScope... scopes) {
        var key = ApiKeys.generate();
        keys.keyInsert(new ApiKey(ApiKeys.idOf(key).orElseThrow(), tenant, "test", scopes.length == 0 ? KeyScope.DEFAULT
                : Set.of(scopes), ApiKeys.hash(key), Instant.now(), expiresAt, null, ratePerSecond));
        return key;
    }

    /** The id of a key. */
    public static String id(String key) {
        return ApiKeys.idOf(key).orElseThrow();
    }

    /** The header that sends the key. */
    public static String[] bearer(String key) {
        return new String[] {"Authorization", "Bearer " + key};
    }
}
