package io.spillway.app;

import io.spillway.server.Role;
import picocli.CommandLine.Command;

/** {@code spillway worker}: runs jobs from a shared PostgreSQL store. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run jobs from the shared PostgreSQL store (--store); HTTP on --port serves only /healthz "
                + "and /readyz. Run any number; scale them on queue depth."})
final class WorkerCommand extends RunCommand {
    @Override
    Role role() {
        return Role.WORKER;
    }
}
