package io.spillway.server.http;

import java.util.List;
import java.util.stream.Stream;

/**
 * Every route the API serves, from all route families: what {@link HttpApi} registers, what the
 * OpenAPI document must describe (a test holds them equal), and the label of each request in
 * the HTTP metrics (a route template, never a raw path).
 */
public final class RouteTable {
    /** All routes, in the order they are documented. */
    public static final List<Route> ROUTES = Stream.of(JobRoutes.ROUTES, DocumentRoutes.ROUTES, UsageRoutes.ROUTES, OperationRoutes.ROUTES)
            .flatMap(List::stream).toList();

    /** The metrics label of a request that matched no route. */
    static final String NO_ROUTE = "other";

    private RouteTable() {
    }
}
