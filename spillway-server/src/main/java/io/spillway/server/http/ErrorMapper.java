package io.spillway.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.spillway.core.crypto.DecryptionException;
import io.spillway.core.engine.EngineClosedException;
import io.spillway.core.engine.AdmissionRefusedException;
import io.spillway.core.engine.OverloadedException;
import io.spillway.core.store.StoreException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become answers: every exception a route throws, every failed future a
 * route answers from, and (through {@link ProblemErrorHandler}) every error Jetty answers itself
 * is turned into an {@link ApiException} and written as problem+json. Bad input is a 4xx with
 * a detail that says what to fix; only a bug is a 500, and it is logged.
 */
final class ErrorMapper {
    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    /** Registers the mapper for every exception a route can throw. */
    static void register(JavalinConfig cfg) {
        // Javalin answers its own responses (404, 405) in plain text unless their type is mapped by name
        cfg.routes.exception(HttpResponseException.class, (e, ctx) -> answer(ctx, e));
        cfg.routes.exception(Exception.class, (e, ctx) -> answer(ctx, e));
    }

    /** Answers {@code ctx} with what {@code error} means for the client. */
    static void answer(Context ctx, Throwable error) {
        var mapped = map(error, ctx);
        if (mapped.status() >= 500 && mapped.status() != 503) {
            log.error("unexpected error on {} {}", ctx.method(), ctx.path(), unwrap(error));
        }
        Problems.write(ctx, mapped);
    }

    /** What the client is told about {@code error}. */
    static ApiException map(Throwable error, Context ctx) {
        return switch (unwrap(error)) {
            case ApiException api -> api;
            case AdmissionRefusedException d -> refused(d);
            case OverloadedException o -> ApiException.unavailable("the server is overloaded: " + o.getMessage() + "; retry shortly", 1);
            case EngineClosedException c -> ApiException.unavailable(c.getMessage(), 5);
            case StoreException s -> ApiException.unavailable("the store is unavailable; nothing was recorded, retry shortly", 2);
            case DecryptionException d -> new ApiException(500, "the job's stored data cannot be read: it does not decrypt "
                    + "(tampered with, or its master key is not configured); the server's log says which");
            case HttpResponseException h -> new ApiException(h.getStatus(), javalinDetail(h, ctx));
            default -> new ApiException(500, "internal error; it has been logged");
        };
    }

    /**
     * What the client is told about an error Jetty answers itself, before a request reaches a
     * route (a body cut off, a malformed request line). While the server stops, a request cut
     * off or failing is a 503 that sends the client elsewhere, as every request then is.
     */
    static ApiException mapJetty(int code, String message, Throwable cause, boolean stopping) {
        boolean cutOff = cause instanceof EofException || (cause != null && cause.getCause() instanceof EofException);
        if (stopping && (cutOff || code >= 500)) {
            return new ApiException(503, "the server is shutting down; retry on another instance",
                    Map.of("Retry-After", "5", "Connection", "close"));
        }
        if (cutOff) {
            return ApiException.badRequest("the request ended before its body was complete");
        }
        if (code >= 500) {
            return new ApiException(code, "internal error");
        }
        return new ApiException(code, message == null || message.isBlank() ? Problems.title(code) : message);
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static String javalinDetail(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> "no route " + ctx.method() + " " + JobRequests.truncate(ctx.path());
            case 405 -> "method " + ctx.method() + " is not allowed on " + JobRequests.truncate(ctx.path());
            case 413 -> "the body is too large";
            default -> e.getMessage() == null || e.getMessage().isBlank() ? Problems.title(e.getStatus()) : e.getMessage();
        };
    }

    /**
     * 429 with when to come back: {@code Retry-After} in seconds, capped at 120 (the OpenAI SDKs
     * retry no later than that), and {@code retry-after-ms}.
     */
    private static ApiException refused(AdmissionRefusedException d) {
        return tooMany(d.getMessage(), d.retryAfter(), d.quota().orElse(null));
    }

    /**
     * A 429 with {@code Retry-After} (capped at 120 s), {@code retry-after-ms}, and for a limit the
     * {@code RateLimit-Policy} and {@code RateLimit} headers of the IETF draft (its quota, none left).
     */
    static ApiException tooMany(String detail, Duration retryAfter, AdmissionRefusedException.Quota quota) {
        long millis = Math.min(120_000, retryAfter.toMillis());
        long seconds = Math.max(1, (millis + 999) / 1000);
        var headers = new HashMap<String, String>();
        headers.put("Retry-After", String.valueOf(seconds));
        headers.put("retry-after-ms", String.valueOf(millis));
        if (quota != null) {
            var name = "\"" + quota.name() + "\"";
            headers.put("RateLimit-Policy", name + ";q=" + quota.limit() + (quota.windowSeconds() > 0 ? ";w=" + quota.windowSeconds() : ""));
            headers.put("RateLimit", name + ";r=0;t=" + seconds);
        }
        return new ApiException(429, detail, headers);
    }
}
