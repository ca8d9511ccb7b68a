package io.spillway.server.http;

import io.spillway.core.keys.KeyScope;

/**
 * One HTTP route the API serves: method, path (OpenAPI form, {@code {id}}), what it does, and
 * how the server treats it.
 *
 * @param takesWork true when the route creates jobs: refused with 503 while the server stops
 * @param onWorkers true when a worker's listener serves it too (health, readiness, queue, metrics)
 * @param scope     what a key needs to call it, or null for a route anyone may call (health,
 *                  readiness, the dashboard's files, the OpenAPI document: nothing of a tenant's)
 */
public record Route(String method, String path, String summary, boolean takesWork, boolean onWorkers, KeyScope scope) {

    /** A read: it needs {@link KeyScope#READ}. */
    static Route get(String path, String summary) {
        return new Route("GET", path, summary, false, false, KeyScope.READ);
    }

    /** A change: it needs {@link KeyScope#SUBMIT}. */
    static Route post(String path, String summary) {
        return new Route("POST", path, summary, false, false, KeyScope.SUBMIT);
    }

    /** This route, refused while the server is shutting down. */
    Route takingWork() {
        return new Route(method, path, summary, true, onWorkers, scope);
    }

    /** This route, served by workers as well as gateways. */
    Route alsoOnWorkers() {
        return new Route(method, path, summary, takesWork, true, scope);
    }

    /** This route, for callers whose key has {@code needed}. */
    Route needing(KeyScope needed) {
        return new Route(method, path, summary, takesWork, onWorkers, needed);
    }

    /** This route, for anyone, with or without a key. */
    Route open() {
        return new Route(method, path, summary, takesWork, onWorkers, null);
    }

    /** The path as OpenAPI writes it. */
    public String openApiPath() {
        return path;
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
