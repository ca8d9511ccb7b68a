package io.spillway.server.http;

/**
 * One HTTP route the API serves: method, path (OpenAPI form, {@code {id}}), what it does, and
 * how the server treats it.
 *
 * @param takesWork true when the route creates jobs: refused with 503 while the server stops
 * @param onWorkers true when a worker's listener serves it too (health, readiness, queue, metrics)
 */
public record Route(String method, String path, String summary, boolean takesWork, boolean onWorkers) {

    static Route get(String path, String summary) {
        return new Route("GET", path, summary, false, false);
    }

    static Route post(String path, String summary) {
        return new Route("POST", path, summary, false, false);
    }

    /** This route, refused while the server is shutting down. */
    Route takingWork() {
        return new Route(method, path, summary, true, onWorkers);
    }

    /** This route, served by workers as well as gateways. */
    Route alsoOnWorkers() {
        return new Route(method, path, summary, takesWork, true);
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
