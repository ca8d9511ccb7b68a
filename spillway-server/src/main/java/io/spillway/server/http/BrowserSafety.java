package io.spillway.server.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
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
 * The page's origin must be the server's own: the host and port the request was sent to. And a
 * request whose {@code Host} is not a name of this server is refused with 421 (a page of another
 * site whose name was pointed at this address, DNS rebinding, would send its own name). It runs
 * first in the chain, before a body is read.
 *
 * <p>CORS is off unless origins are configured ({@code cors_origins}): a page of one of them may
 * call the API (its preflight is answered here, its answers carry {@code Access-Control-Allow-Origin});
 * it sends its key as a bearer token, so no credentials mode is ever allowed.
 */
final class BrowserSafety extends Handler.Wrapper {
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final Set<String> CHANGES_STATE = Set.of("POST", "PUT", "PATCH", "DELETE");
    /** Names that always reach this machine. */
    static final Set<String> LOCAL_NAMES = Set.of("localhost", "127.0.0.1", "::1");
    private static final String ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, traceparent";
    private static final String EXPOSE_HEADERS = "Location, Retry-After, retry-after-ms, RateLimit-Policy, RateLimit, "
            + "WWW-Authenticate";
    /** Host names accepted (without port, lower case); null: any. */
    private final Set<String> hosts;
    /** Origins whose pages may call the API ({@code scheme://host[:port]}, lower case). */
    private final Set<String> corsOrigins;

    BrowserSafety(Set<String> hosts, List<String> corsOrigins) {
        this.hosts = hosts == null ? null : Set.copyOf(hosts);
        this.corsOrigins = Set.copyOf(corsOrigins);
    }

    /**
     * The names to accept ({@code null}: any): the local names, the address listened on (every
     * address of this machine, and its host name, when listening on all of them), and the
     * configured names ({@code *}: any).
     */
    static Set<String> allowedNames(String listenHost, List<String> configured) {
        if (configured.contains("*")) {
            return null;
        }
        var names = new HashSet<>(LOCAL_NAMES);
        configured.forEach(n -> names.add(bare(n)));
        names.add(bare(listenHost));
        if (everyAddress(listenHost)) {
            names.addAll(machineNames());
        }
        return names;
    }

    private static boolean everyAddress(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** This machine's addresses and host name, as clients on the network may name it. */
    private static Set<String> machineNames() {
        var names = new HashSet<String>();
        try {
            var local = InetAddress.getLocalHost();
            names.add(bare(local.getHostName()));
            names.add(bare(local.getCanonicalHostName()));
            for (var nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (var address : Collections.list(nic.getInetAddresses())) {
                    var text = address.getHostAddress();
                    int zone = text.indexOf('%');
                    names.add(bare(zone < 0 ? text : text.substring(0, zone)));
                }
            }
        } catch (IOException e) {
            // what was found is enough; allowed_hosts names the rest
        }
        return names;
    }

    /** The security headers, encoded once: every answer carries them. */
    private static final List<HttpField> SECURITY_HEADERS = List.of(
            new PreEncodedHttpField("Content-Security-Policy", CONTENT_SECURITY_POLICY),
            new PreEncodedHttpField("X-Frame-Options", "DENY"),
            new PreEncodedHttpField("X-Content-Type-Options", "nosniff"),
            new PreEncodedHttpField("Referrer-Policy", "no-referrer"));

    /** Puts the security headers on an answer (also Jetty's own error answers), replacing any. */
    static void addHeaders(HttpFields.Mutable headers) {
        SECURITY_HEADERS.forEach(headers::put);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        var answer = response.getHeaders();
        SECURITY_HEADERS.forEach(answer::add); // a new answer has none yet: no need to look for them first
        var host = request.getHeaders().get(HttpHeader.HOST);
        if (hosts != null && host != null && !hosts.contains(bare(withoutPort(host)))) {
            return refuse(request, response, callback, 421, "this server does not answer to the name " + printable(withoutPort(host))
                    + " (allowed_hosts): a page reached under another name may not use it");
        }
        var origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (!corsOrigins.isEmpty()) {
            response.getHeaders().add("Vary", "Origin"); // answers differ by origin: no cache may share them
        }
        if (origin != null && corsOrigins.contains(origin.strip().toLowerCase(Locale.ROOT))) {
            var headers = response.getHeaders();
            headers.put("Access-Control-Allow-Origin", origin.strip());
            if (request.getMethod().equals("OPTIONS") && request.getHeaders().get("Access-Control-Request-Method") != null) {
                headers.put("Access-Control-Allow-Methods", "GET, POST");
                headers.put("Access-Control-Allow-Headers", ALLOW_HEADERS);
                headers.put("Access-Control-Max-Age", "600");
                response.setStatus(204);
                callback.succeeded();
                return true;
            }
            headers.put("Access-Control-Expose-Headers", EXPOSE_HEADERS);
            return super.handle(request, response, callback);
        }
        if (origin != null && CHANGES_STATE.contains(request.getMethod()) && !sameOrigin(origin, request)) {
            return refuse(request, response, callback, 403, "a page of another origin (" + printable(origin)
                    + ") may not change anything here; call the API from your server or from a page of this one");
        }
        return super.handle(request, response, callback);
    }

    /**
     * Answers at once, reading nothing of the body: a request that has one is answered with
     * {@code Connection: close}, since Jetty then closes the connection rather than read it, and a
     * client must not send its next request there.
     */
    private static boolean refuse(Request request, Response response, Callback callback, int status, String detail) {
        if (request.getLength() != 0) { // a body, of a known (> 0) or unknown (-1) length
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(Problems.body(status, detail)), callback);
        return true;
    }

    /** {@code name} of {@code name:port}, {@code [::1]} of {@code [::1]:port}. */
    private static String withoutPort(String hostHeader) {
        var h = hostHeader.strip();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close > 0 ? h.substring(0, close + 1) : h;
        }
        int colon = h.indexOf(':');
        return colon >= 0 && colon == h.lastIndexOf(':') ? h.substring(0, colon) : h; // several: a bare IPv6 address
    }

    /** Lower case, without IPv6 brackets or a trailing dot. */
    private static String bare(String name) {
        var n = name.strip().toLowerCase(Locale.ROOT);
        if (n.startsWith("[") && n.endsWith("]")) {
            n = n.substring(1, n.length() - 1);
        }
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
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
