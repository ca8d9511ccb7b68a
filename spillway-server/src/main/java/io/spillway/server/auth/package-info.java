/**
 * Who is calling: API keys checked against the store ({@link io.spillway.server.auth.Authenticator}),
 * the {@link io.spillway.server.auth.Principal} a request runs as, and the audit log.
 */
package io.spillway.server.auth;
