package io.spillway.server.auth;

import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.ApiKeys;
import io.spillway.core.keys.KeyStore;
import io.spillway.core.store.StoreException;
import io.spillway.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the {@code Authorization: Bearer} key of a request against the store, and says who the
 * request runs as.
 *
 * <p>The API needs keys once any key was created in the store; until then it runs open for one
 * tenant, as before keys existed. With {@code auth: none} it never needs one. The store's keys
 * (a small table) are kept in memory and read again every {@link #REFRESH}, so the first key
 * closes a running server, and a revocation made by any process holds everywhere, within that
 * time; a request costs a hash and a map lookup, never a query.
 *
 * <p>Every refusal is a 401 with {@code WWW-Authenticate: Bearer} (RFC 6750) and says which of
 * missing, malformed, unknown, revoked or expired it was; refusals are written to the audit log
 * with the key's id, never its secret.
 */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    /** How long the keys read from the store are trusted before they are read again. */
    public static final Duration REFRESH = Duration.ofSeconds(2);
    /** While no key exists (the API is open), how soon a first key is seen: it closes the API. */
    static final Duration OPEN_REFRESH = Duration.ofMillis(100);

    private final KeyStore keys;
    private final InstantSource clock;
    private final boolean required;
    private final byte[] scrapeToken;
    private final Audit audit;
    /** Every key of the store by id, as last read, and when (nanoTime). */
    private volatile Map<String, ApiKey> byId = Map.of();
    private volatile long readAt;
    private final ReentrantLock reading = new ReentrantLock();

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
        read(); // before any request, and strictly: none may pass on a first read that failed
    }

    /**
     * The store's keys, read again when older than {@link #REFRESH}: one query per process every
     * 2 s at most, whatever the requests (a flood of made-up keys asks the store nothing). One
     * thread reads while the others use the keys read before.
     */
    private Map<String, ApiKey> keys() {
        long refresh = byId.isEmpty() ? OPEN_REFRESH.toNanos() : REFRESH.toNanos();
        if (System.nanoTime() - readAt > refresh && reading.tryLock()) {
            try {
                if (System.nanoTime() - readAt > refresh) {
                    try {
                        read();
                    } catch (StoreException e) {
                        // the store is away: the keys read last go on (the request's own store call answers 503)
                        log.warn("cannot read the API keys, using those read {} s ago: {}",
                                (System.nanoTime() - readAt) / 1_000_000_000L, e.getMessage());
                    }
                    readAt = System.nanoTime();
                }
            } finally {
                reading.unlock();
            }
        }
        return byId;
    }

    private void read() {
        var all = new HashMap<String, ApiKey>();
        keys.keyList().forEach(k -> all.put(k.id(), k));
        byId = Map.copyOf(all);
        readAt = System.nanoTime();
    }

    /** Whether requests need a key now: keys are on and one exists in the store (revoked ones count). */
    public boolean keysRequired() {
        return required && !keys().isEmpty();
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
        var k = keys().get(id.get());
        if (k == null || !ApiKeys.matches(token, k.hash())) {
            throw refused("the API key is not valid", id.get(), client, "unknown");
        }
        if (k.revokedAt() != null) {
            throw refused("the API key " + k.id() + " was revoked", k.id(), client, "revoked");
        }
        if (!k.activeAt(clock.instant())) {
            throw refused("the API key " + k.id() + " expired at " + k.expiresAt(), k.id(), client, "expired");
        }
        return Principal.of(k);
    }

    private ApiException refused(String detail, String keyId, String client, String reason) {
        audit.refused(keyId, client, reason);
        return new ApiException(401, detail, Map.of("WWW-Authenticate", "Bearer realm=\"spillway\""));
    }
}
