package io.spillway.app;

import io.spillway.server.Role;
import picocli.CommandLine.Command;

/** {@code spillway gateway}: the HTTP API only, on a shared PostgreSQL store. */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the HTTP API only: jobs are accepted into the shared PostgreSQL store (--store) and run "
                + "by `spillway worker` processes. Run any number behind a load balancer."})
final class GatewayCommand extends RunCommand {
    @Override
    Role role() {
        return Role.GATEWAY;
    }
}
