package io.spillway.server.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;

/** Writes {@code application/problem+json} bodies (RFC 9457), for the API and for Jetty's own errors alike. */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    static void write(Context ctx, ApiException e) {
        e.headers().forEach(ctx::header);
        ctx.status(e.status()).contentType(CONTENT_TYPE).result(body(e.status(), e.detail()));
    }

    /** The body: type, title, status and detail, ending with a newline. */
    static byte[] body(int status, String detail) {
        var encoder = JsonStringEncoder.getInstance();
        var json = "{\"type\":\"about:blank\",\"title\":\"" + new String(encoder.quoteAsString(title(status)))
                + "\",\"status\":" + status + ",\"detail\":\"" + new String(encoder.quoteAsString(detail)) + "\"}\n";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static String title(int status) {
        var s = HttpStatus.forStatus(status);
        return s == HttpStatus.UNKNOWN ? "HTTP " + status : s.getMessage();
    }
}
