package io.spillway.server.http;

import io.javalin.http.Context;
import io.spillway.core.Job;
import io.spillway.core.engine.AdmissionRefusedException;
import io.spillway.core.keys.ApiKeys;
import io.spillway.core.keys.KeyScope;
import io.spillway.core.store.JobStore;
import io.spillway.server.auth.Audit;
import io.spillway.server.auth.Authenticator;
import io.spillway.server.auth.Principal;
import io.spillway.server.auth.RateLimiter;
import java.time.Duration;

/**
 * Who a request runs as, for the routes: {@link HttpApi} authenticates every route that needs a
 * scope and leaves the {@link Principal} on the request; the routes read it here.
 */
final class Callers {
    private static final String ATTRIBUTE = "spillway.principal";

    private Callers() {
    }

    /**
     * Authenticates the request for {@code scope} and records who it runs as.
     *
     * @throws ApiException 401 without a working key, 403 when its key lacks the scope
     */
    static void authenticate(Context ctx, Authenticator authenticator, RateLimiter rates, KeyScope scope) {
        var principal = authenticator.authenticate(ctx.header("Authorization"), ctx.ip());
        if (!principal.allows(scope)) {
            throw new ApiException(403, "this key cannot do that: it needs the scope '" + scope.wireName()
                    + "' (its scopes: " + KeyScope.format(principal.scopes()) + ")");
        }
        double rate = principal.ratePerSecond();
        if (rate > 0) {
            long wait = rates.take(principal.keyId(), rate);
            if (wait > 0) {
                var quota = rate >= 1 ? new AdmissionRefusedException.Quota("key", Math.round(rate), 1)
                        : new AdmissionRefusedException.Quota("key", 1, Math.round(1 / rate));
                throw ErrorMapper.tooMany("the key " + principal.keyId() + " is over its rate limit of " + perSecond(rate)
                        + " requests a second; slow down", Duration.ofNanos(wait), quota);
            }
        }
        ctx.attribute(ATTRIBUTE, principal);
    }

    private static String perSecond(double rate) {
        return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
    }

    /** Who the request runs as. */
    static Principal of(Context ctx) {
        Principal principal = ctx.attribute(ATTRIBUTE);
        if (principal == null) {
            throw new IllegalStateException("the route " + ctx.path() + " was not authenticated");
        }
        return principal;
    }

    /**
     * The tenant a listing shows: the caller's own; for an admin, everyone's or the one named in
     * {@code ?tenant=}.
     */
    static String listTenant(Context ctx) {
        var caller = of(ctx);
        var named = ctx.queryParam("tenant");
        if (named == null || named.isEmpty()) {
            return caller.readTenant();
        }
        try {
            ApiKeys.checkTenant(named);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'tenant' is not a tenant name: " + JobRequests.truncate(e.getMessage()));
        }
        if (!named.equals(caller.tenant()) && caller.readTenant().equals(caller.tenant())) {
            throw new ApiException(403, "only an admin key lists another tenant's jobs");
        }
        return named;
    }

    /** Writes an admin's action on another tenant's job to the audit log. */
    static void auditAdmin(Context ctx, Audit audit, String action, Job job) {
        var caller = of(ctx);
        if (caller.readTenant().equals(JobStore.ANY_TENANT) && !job.tenant().equals(caller.tenant())) {
            audit.adminAction(caller.keyId(), action, job.tenant(), job.id());
        }
    }
}
