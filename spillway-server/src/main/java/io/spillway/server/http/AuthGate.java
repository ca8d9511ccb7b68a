package io.spillway.server.http;

import io.spillway.server.auth.Authenticator;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Refuses a request without a working key before its body is read, so a caller without one can
 * make the server neither buffer a body nor spool an upload. It runs after {@link BrowserSafety}
 * and before {@link EagerBodies}; the route's scope and the key's rate are checked later, on the
 * route ({@link Callers}). Routes anyone may call (health, readiness, the dashboard's files, the
 * OpenAPI document) pass.
 */
final class AuthGate extends Handler.Wrapper {
    private final Authenticator authenticator;
    /** Paths anyone may call, exactly. */
    private final List<String> open;
    /** Path prefixes anyone may call (a route template's part before its first parameter). */
    private final List<String> openPrefixes;

    AuthGate(Authenticator authenticator, List<Route> routes) {
        this.authenticator = authenticator;
        var openRoutes = routes.stream().filter(r -> r.scope() == null).map(Route::path).toList();
        this.open = openRoutes.stream().filter(p -> !p.contains("{")).toList();
        this.openPrefixes = openRoutes.stream().filter(p -> p.contains("{")).map(p -> p.substring(0, p.indexOf('{'))).toList();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        var path = Request.getPathInContext(request);
        if (open.contains(path) || openPrefixes.stream().anyMatch(path::startsWith) || !authenticator.keysRequired()) {
            return super.handle(request, response, callback);
        }
        try {
            authenticator.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION), Request.getRemoteAddr(request));
        } catch (ApiException e) {
            e.headers().forEach((name, value) -> response.getHeaders().put(name, value));
            if (request.getLength() != 0) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close"); // the body is not read
            }
            response.setStatus(e.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
            response.write(true, ByteBuffer.wrap(Problems.body(e.status(), e.detail())), callback);
            return true;
        }
        return super.handle(request, response, callback);
    }
}
