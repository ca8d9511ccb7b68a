/**
 * The server library's wiring: {@link io.spillway.server.SpillwayServer} opens the store, builds
 * the tasks and the engine, and starts the HTTP API in one of the process {@link io.spillway.server.Role}s.
 */
package io.spillway.server;
