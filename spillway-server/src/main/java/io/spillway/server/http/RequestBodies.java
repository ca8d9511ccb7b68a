package io.spillway.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/** Reads JSON request bodies within the configured limit. Thread-safe. */
final class RequestBodies {
    static final String JSON = "application/json";

    private final long maxBodyBytes;

    RequestBodies(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Reads the body, up to the limit. A body over the limit is answered 413; when it is not far
     * over (at most 4x, 16 MiB), the rest is read and dropped first, so the client, which may
     * still be sending, reliably sees the answer and keeps its connection.
     */
    byte[] read(Context ctx) {
        long drainable = Math.min(maxBodyBytes * 4, 16L << 20);
        long length = ctx.req().getContentLengthLong();
        try {
            InputStream in = ctx.req().getInputStream();
            if (length > maxBodyBytes) {
                throw tooLarge(length <= drainable && drain(in, drainable));
            }
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (body.length > maxBodyBytes) {
                throw tooLarge(drain(in, drainable));
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    /** Refuses a body whose declared type is not JSON; a body without a type is read as JSON (as the reference design). */
    static void checkJsonContentType(Context ctx) {
        var type = ctx.header("Content-Type");
        if (type == null || type.isBlank()) {
            return;
        }
        var mime = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mime.equals(JSON) && !(mime.startsWith("application/") && mime.endsWith("+json"))) {
            throw new ApiException(415, "Content-Type must be application/json, not " + JobRequests.truncate(type));
        }
    }

    private static boolean drain(InputStream in, long max) throws IOException {
        long skipped = 0;
        var buffer = new byte[8192];
        int n;
        while (skipped <= max && (n = in.read(buffer)) >= 0) {
            skipped += n;
        }
        return skipped <= max;
    }

    private ApiException tooLarge(boolean drained) {
        var detail = "the body is larger than the limit of " + maxBodyBytes + " bytes (setting max_body_bytes)";
        // when the rest of the body was not read, the connection cannot be reused
        return drained ? new ApiException(413, detail) : new ApiException(413, detail, Map.of("Connection", "close"));
    }
}
