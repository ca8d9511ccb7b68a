package io.spillway.server.auth;

import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.ApiKeys;
import io.spillway.core.keys.KeyStore;
import io.spillway.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the {@code Authorization: Bearer} key of a request against the store, and says who the
 * request runs as.
 *
 * <p>The API needs keys once any key was created in the store (checked again every
 * {@link #REFRESH}, so the first key closes a running server within seconds); until then it runs
 * open for one tenant, as before keys existed. With {@code auth: none} it never needs one. A key
 * found is kept for {@link #REFRESH}, so a revocation made by any process holds everywhere within
 * that time, and a request costs a hash and a map lookup, not a query.
 *
 * <p>Every refusal is a 401 with {@code WWW-Authenticate: Bearer} (RFC 6750) and says which of
 * missing, malformed, unknown, revoked or expired it was; refusals are written to the audit log
 * with the key's id, never its secret.
 */
public final class Authenticator {
    /** How long a key, and the fact that keys exist, is trusted before the store is asked again. */
    public static final Duration REFRESH = Duration.ofSeconds(2);
    private static final int MAX_CACHED = 10_000;

    private final KeyStore keys;
    private final InstantSource clock;
    private final boolean required;
    private final byte[] scrapeToken;
    private final Audit audit;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile boolean keysExist;
    private volatile long keysCheckedAt;

    private record Cached(Optional<ApiKey> key, long loadedAt) {
    }

    /**
     * @param required    false for {@code auth: none}: every request runs as {@link Principal#OPEN}
     * @param scrapeToken a token that reads metrics and the queue signal without a key, or null
     */
    public Authenticator(KeyStore keys, InstantSource clock, boolean required, String scrapeToken, Audit audit) {
        this.keys = keys;
        this.clock = clock;
        this.required = required;
        this.scrapeToken = scrapeToken == null || scrapeToken.isEmpty() ? null : scrapeToken.getBytes(StandardCharsets.UTF_8);
        this.audit = audit;
        this.keysCheckedAt = System.nanoTime() - REFRESH.toNanos() - 1;
    }

    /** Whether requests need a key now: keys are on and one exists in the store. */
    public boolean keysRequired() {
        if (!required) {
            return false;
        }
        if (keysExist) {
            return true; // keys are never deleted, only revoked: once there, always there
        }
        long now = System.nanoTime();
        if (now - keysCheckedAt > REFRESH.toNanos()) {
            keysExist = keys.keyExists();
            keysCheckedAt = now;
        }
        return keysExist;
    }

    /**
     * Who a request with this {@code Authorization} header runs as.
     *
     * @param authorization the header, or null
     * @param client        the client's address, for the audit log
     * @throws ApiException 401 when a key is needed and this is none that works
     */
    public Principal authenticate(String authorization, String client) {
        if (!keysRequired()) {
            return Principal.OPEN;
        }
        if (authorization == null || authorization.isBlank()) {
            throw refused("this API needs a key: send it as the header Authorization: Bearer <key>", null, client, Audit.MISSING);
        }
        var space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw refused("send the key as Authorization: Bearer <key>", null, client, "not bearer");
        }
        var token = authorization.substring(space + 1).strip();
        if (scrapeToken != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), scrapeToken)) {
            return Principal.SCRAPER;
        }
        var id = ApiKeys.idOf(token);
        if (id.isEmpty()) {
            throw refused("the API key is not valid (a key reads spw_ and 45 more characters)", null, client, "malformed");
        }
        var key = lookup(id.get());
        if (key.isEmpty() || !ApiKeys.matches(token, key.get().hash())) {
            throw refused("the API key is not valid", id.get(), client, "unknown");
        }
        var k = key.get();
        if (k.revokedAt() != null) {
            throw refused("the API key " + k.id() + " was revoked", k.id(), client, "revoked");
        }
        if (!k.activeAt(clock.instant())) {
            throw refused("the API key " + k.id() + " expired at " + k.expiresAt(), k.id(), client, "expired");
        }
        return Principal.of(k);
    }

    private Optional<ApiKey> lookup(String id) {
        long now = System.nanoTime();
        var cached = cache.get(id);
        if (cached != null && now - cached.loadedAt() <= REFRESH.toNanos()) {
            return cached.key();
        }
        var key = keys.keyGet(id);
        if (cache.size() >= MAX_CACHED) {
            cache.clear(); // ids of keys that do not exist could fill it: start again rather than grow
        }
        cache.put(id, new Cached(key, now));
        return key;
    }

    private ApiException refused(String detail, String keyId, String client, String reason) {
        audit.refused(keyId, client, reason);
        return new ApiException(401, detail, Map.of("WWW-Authenticate", "Bearer realm=\"spillway\""));
    }
}
