package io.spillway.server.http;

import io.javalin.http.Handler;
import java.util.Map;

/**
 * A group of routes that belong together (jobs, documents, operations). Each family declares
 * its routes in a static list that {@link RouteTable} joins, and hands out their handlers here;
 * {@link HttpApi} registers a handler for every route of the table and fails at start when one
 * is missing, so the table, the registration, the OpenAPI check and the metrics labels cannot
 * drift apart.
 */
interface RouteFamily {

    /** The handler of each of this family's routes. */
    Map<Route, Handler> handlers();
}
