package io.spillway.app;

import io.spillway.server.Role;
import io.spillway.server.http.Route;
import io.spillway.server.http.RouteTable;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code spillway worker}: runs jobs from a shared PostgreSQL store. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run jobs from the shared PostgreSQL store (--store). Run any number; scale them on queue depth.")
final class WorkerCommand extends RunCommand {
    @Override
    Role role() {
        return Role.WORKER;
    }

    /** The description, naming the routes a worker's HTTP port serves as the route table marks them. */
    static String description() {
        var paths = RouteTable.ROUTES.stream().filter(Route::onWorkers).map(Route::path).distinct().toList();
        return "Run jobs from the shared PostgreSQL store (--store); HTTP on --port serves only " + list(paths)
                + ". Run any number; scale them on queue depth.";
    }

    private static String list(List<String> items) {
        return items.size() <= 1 ? String.join("", items)
                : String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.getLast();
    }
}
