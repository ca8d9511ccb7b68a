package io.spillway.server.auth;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: key creation and revocation, admin actions and refused requests, as structured
 * events on the logger {@code spillway.audit} (fields as SLF4J key-value pairs, so the JSON log
 * has them as fields). Never a secret: keys appear by id. Refusals are written at most
 * {@link #REFUSALS_PER_SECOND} a second, the rest counted into the next line, so a flood of bad
 * keys cannot flood the log.
 */
public final class Audit {
    static final int REFUSALS_PER_SECOND = 20;
    /** The reason of a refusal for a request that sent no key. */
    public static final String MISSING = "missing";
    private static final Logger log = LoggerFactory.getLogger("spillway.audit");

    private final AtomicLong second = new AtomicLong();
    private final AtomicLong inSecond = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    /**
     * A request refused for its key; {@code keyId} null when it named none. A request with no key
     * at all is no attempt to log in (a dashboard not yet given one polls without): it is written
     * at debug level only.
     */
    public void refused(String keyId, String client, String reason) {
        if (reason.equals(MISSING)) {
            log.atDebug().addKeyValue("event", "auth.missing").addKeyValue("client", client).log("request without a key refused");
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        long was = second.get();
        if (was != now && second.compareAndSet(was, now)) {
            inSecond.set(0);
        }
        if (inSecond.incrementAndGet() > REFUSALS_PER_SECOND) {
            skipped.incrementAndGet();
            return;
        }
        log.atWarn().addKeyValue("event", "auth.refused").addKeyValue("key_id", keyId).addKeyValue("client", client)
                .addKeyValue("reason", reason).addKeyValue("unlogged_before", skipped.getAndSet(0))
                .log("request refused: {}", reason);
    }

    /** A key was created. */
    public void keyCreated(String keyId, String tenant, String scopes, String by) {
        log.atInfo().addKeyValue("event", "key.created").addKeyValue("key_id", keyId).addKeyValue("tenant", tenant)
                .addKeyValue("scopes", scopes).addKeyValue("by", by).log("key {} created for tenant {}", keyId, tenant);
    }

    /** A key was revoked. */
    public void keyRevoked(String keyId, String by) {
        log.atInfo().addKeyValue("event", "key.revoked").addKeyValue("key_id", keyId).addKeyValue("by", by)
                .log("key {} revoked", keyId);
    }

    /** An admin key acted on another tenant's job. */
    public void adminAction(String keyId, String action, String tenant, String jobId) {
        log.atInfo().addKeyValue("event", "admin." + action).addKeyValue("key_id", keyId).addKeyValue("tenant", tenant)
                .addKeyValue("job_id", jobId).log("admin key {} {} job {} of tenant {}", keyId, action, jobId, tenant);
    }
}
