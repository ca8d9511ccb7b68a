package io.spillway.server.auth;

import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.KeyScope;
import io.spillway.core.store.JobStore;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who a request runs as: the tenant its jobs belong to and what it may do.
 *
 * @param keyId          the key's id, or null when the API runs without keys (or for the scrape token)
 * @param ratePerSecond  the key's request rate, 0 for none
 */
public record Principal(String tenant, Set<KeyScope> scopes, String keyId, double ratePerSecond) {
    /** The tenant of an API without keys: every job is this tenant's, as before keys existed. */
    public static final String DEFAULT_TENANT = "default";

    /** The caller of an API without keys: one tenant, everything but reads across tenants. */
    public static final Principal OPEN = new Principal(DEFAULT_TENANT,
            EnumSet.of(KeyScope.SUBMIT, KeyScope.READ, KeyScope.METRICS), null, 0);

    /** The caller holding the configured scrape token: metrics only. */
    static final Principal SCRAPER = new Principal(DEFAULT_TENANT, EnumSet.of(KeyScope.METRICS), null, 0);

    public Principal {
        scopes = Set.copyOf(scopes);
    }

    static Principal of(ApiKey key) {
        return new Principal(key.tenant(), key.scopes(), key.id(), key.ratePerSecond());
    }

    /** Whether it may do what {@code scope} allows ({@link KeyScope#ADMIN} may do everything). */
    public boolean allows(KeyScope scope) {
        return scopes.contains(scope) || scopes.contains(KeyScope.ADMIN);
    }

    /** The tenant whose jobs it reads: its own, or with {@link KeyScope#ADMIN} everyone's. */
    public String readTenant() {
        return scopes.contains(KeyScope.ADMIN) ? JobStore.ANY_TENANT : tenant;
    }
}
