package io.spillway.core.keys;

import java.time.Instant;
import java.util.Set;

/**
 * An API key as the store keeps it: who it belongs to and what it may do, with a hash of the
 * secret, never the secret itself.
 *
 * @param id             the key's public id (the part of the key after its prefix, before the secret)
 * @param tenant         the tenant every job made with the key belongs to
 * @param name           what its owner called it ({@code ci})
 * @param hash           {@link ApiKeys#hash} of the whole key
 * @param expiresAt      when it stops working, or null
 * @param revokedAt      when it was revoked, or null
 * @param ratePerSecond  requests a second it may make (a token bucket with a second's burst), or 0 for no limit
 */
public record ApiKey(String id, String tenant, String name, Set<KeyScope> scopes, String hash, Instant createdAt,
                     Instant expiresAt, Instant revokedAt, double ratePerSecond) {

    public ApiKey {
        scopes = Set.copyOf(scopes);
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope");
        }
    }

    /** Whether the key works at {@code now}: neither revoked nor expired. */
    public boolean activeAt(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** Whether the key may do what {@code scope} allows ({@link KeyScope#ADMIN} may do everything). */
    public boolean allows(KeyScope scope) {
        return scopes.contains(scope) || scopes.contains(KeyScope.ADMIN);
    }

    /** This key, revoked at {@code at}. */
    public ApiKey revoked(Instant at) {
        return new ApiKey(id, tenant, name, scopes, hash, createdAt, expiresAt, at, ratePerSecond);
    }
}
