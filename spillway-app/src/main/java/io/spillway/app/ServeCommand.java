package io.spillway.app;

import io.spillway.server.Role;
import picocli.CommandLine.Command;

/** {@code spillway serve}: the HTTP API and the workers in one process. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run Spillway in one process: the HTTP API and the workers, on the embedded SQLite store "
                + "(default) or a PostgreSQL store shared with other processes (--store)."},
        footer = "")
final class ServeCommand extends RunCommand {
    @Override
    Role role() {
        return Role.SERVE;
    }
}
