/**
 * The HTTP API. Route families ({@link io.spillway.server.http.JobRoutes},
 * {@link io.spillway.server.http.DocumentRoutes}, {@link io.spillway.server.http.OperationRoutes})
 * are joined in {@link io.spillway.server.http.RouteTable}, which drives registration, the OpenAPI
 * check and the metrics label; {@link io.spillway.server.http.JobRequests} parses and validates a
 * request into a job; {@link io.spillway.server.http.ErrorMapper} turns every error into
 * {@code application/problem+json}; {@link io.spillway.server.http.HttpApi} puts them on Javalin.
 */
package io.spillway.server.http;
