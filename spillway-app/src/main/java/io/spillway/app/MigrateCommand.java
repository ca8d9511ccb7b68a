package io.spillway.app;

import io.spillway.core.store.StoreException;
import io.spillway.server.Role;
import io.spillway.server.SpillwayServer;
import io.spillway.store.postgres.PostgresJobStore;
import io.spillway.store.sqlite.SqliteJobStore;
import picocli.CommandLine.Command;

/** {@code spillway migrate}: applies the store's migrations and exits. */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create or upgrade the store's tables and exit. Every process also does this at start; "
                + "several starting at once are safe."})
final class MigrateCommand extends RunCommand {
    @Override
    Role role() {
        return Role.SERVE;
    }

    @Override
    public Integer call() {
        var config = loadConfig();
        if (config == null) {
            return 2;
        }
        try (var store = SpillwayServer.openStore(config, Role.SERVE)) {
            store.ping();
            spec.commandLine().getOut().println("spillway: " + switch (store) {
                case SqliteJobStore s -> s.migration().describe("the SQLite store " + s.file());
                case PostgresJobStore p -> p.migration().describe("PostgreSQL schema " + p.config().schema()
                        + " (" + p.config().server() + ")");
                default -> "the store is ready (" + config.store() + ")";
            });
            return 0;
        } catch (StoreException e) {
            spec.commandLine().getErr().println("spillway: " + e.getMessage());
            return 1;
        }
    }
}
