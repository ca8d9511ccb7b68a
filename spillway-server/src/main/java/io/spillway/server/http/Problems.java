package io.spillway.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes {@code application/problem+json} responses (RFC 9457). */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {
    }

    static void write(Context ctx, ObjectMapper mapper, int status, String detail, Map<String, String> headers) {
        var body = new LinkedHashMap<String, Object>();
        body.put("type", "about:blank");
        body.put("title", title(status));
        body.put("status", status);
        body.put("detail", detail);
        headers.forEach(ctx::header);
        ctx.status(status).contentType(CONTENT_TYPE);
        try {
            ctx.result(mapper.writeValueAsBytes(body));
        } catch (Exception e) {
            ctx.result("{\"status\":" + status + "}");
        }
    }

    static void write(Context ctx, ObjectMapper mapper, ApiException e) {
        write(ctx, mapper, e.status(), e.detail(), e.headers());
    }

    static String title(int status) {
        var s = HttpStatus.forStatus(status);
        return s == HttpStatus.UNKNOWN ? "HTTP " + status : s.getMessage();
    }
}
