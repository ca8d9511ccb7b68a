package io.spillway.server.http;

import io.spillway.core.JobIds;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque list cursors: the last id of a page, versioned and base64url-encoded. */
final class Cursors {
    private static final String PREFIX = "j1:";

    private Cursors() {
    }

    static String encode(String lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + lastId).getBytes(StandardCharsets.UTF_8));
    }

    /** The id a cursor continues after. @throws ApiException 400 for anything not made by {@link #encode}. */
    static String decode(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid cursor: pass the next_cursor value of a previous page unchanged");
        }
        var id = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : "";
        if (!JobIds.looksLikeId(id)) {
            throw ApiException.badRequest("invalid cursor: pass the next_cursor value of a previous page unchanged");
        }
        return id;
    }
}
