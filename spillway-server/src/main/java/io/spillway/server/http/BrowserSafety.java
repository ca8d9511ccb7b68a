package io.spillway.server.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * What keeps a browser from being used against the API: every answer carries security headers
 * (a content security policy of {@code default-src 'self'} that no other origin may frame, no
 * content sniffing, no referrer), and a request that changes state ({@code POST}, {@code PUT},
 * {@code PATCH}, {@code DELETE}) sent by a page of another origin is refused with 403 before it
 * reaches a route. Browsers name the page's origin in {@code Origin} on every such request, even a
 * {@code no-cors} fetch or a plain HTML form; clients that are not browsers send none and pass.
 * The page's origin must be the server's own: the host and port the request was sent to.
 */
final class BrowserSafety extends Handler.Wrapper {
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final Set<String> CHANGES_STATE = Set.of("POST", "PUT", "PATCH", "DELETE");

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        var headers = response.getHeaders();
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("X-Frame-Options", "DENY");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        var origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && CHANGES_STATE.contains(request.getMethod()) && !sameOrigin(origin, request)) {
            response.setStatus(403);
            headers.put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
            response.write(true, ByteBuffer.wrap(Problems.body(403, "a page of another origin (" + printable(origin)
                    + ") may not change anything here; call the API from your server or from a page of this one")), callback);
            return true;
        }
        return super.handle(request, response, callback);
    }

    /** Whether {@code origin} names the host and port the request was sent to ({@code Host}). */
    static boolean sameOrigin(String origin, Request request) {
        URI uri;
        try {
            uri = URI.create(origin.strip());
        } catch (IllegalArgumentException e) {
            return false; // "null" (a sandboxed page, a file) and anything else unparsable
        }
        var host = request.getHeaders().get(HttpHeader.HOST);
        if (uri.getScheme() == null || uri.getRawAuthority() == null || host == null) {
            return false;
        }
        // the authority alone: behind a proxy that ends TLS the page is https and the request http
        return authority(uri.getRawAuthority(), uri.getScheme()).equals(authority(host, uri.getScheme()));
    }

    /** {@code host[:port]}, lower case, without the scheme's default port. */
    private static String authority(String authority, String scheme) {
        var a = authority.strip().toLowerCase(Locale.ROOT);
        var defaultPort = scheme.equalsIgnoreCase("https") ? ":443" : ":80";
        return a.endsWith(defaultPort) ? a.substring(0, a.length() - defaultPort.length()) : a;
    }

    private static String printable(String s) {
        var t = s.length() > 100 ? s.substring(0, 100) + "…" : s;
        return t.replaceAll("[^\\x20-\\x7e…]", "?");
    }
}
