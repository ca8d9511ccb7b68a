package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.server.PgSchema;
import io.spillway.store.jdbc.MigrationScripts;
import io.spillway.store.postgres.PostgresJobStore;
import io.spillway.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spillway migrate} says what it did: which store, which schema, from which version to which. */
class MigrateIT {
    @TempDir
    Path dir;

    @Test
    void migrate_sqlite_namesTheFileAndTheVersions() {
        int latest = MigrationScripts.load(SqliteJobStore.class).size();
        var file = dir.resolve("spillway.db");

        var first = Cli.run("migrate", "--data-dir", dir.toString());
        var again = Cli.run("migrate", "--data-dir", dir.toString());

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo("spillway: migrated the SQLite store " + file + " from version 0 to " + latest
                + System.lineSeparator());
        assertThat(again.out()).isEqualTo("spillway: the SQLite store " + file + " is at version " + latest + ", up to date"
                + System.lineSeparator());
    }

    @Test
    void migrate_postgres_namesTheSchemaAndTheVersions() {
        int latest = MigrationScripts.load(PostgresJobStore.class).size();
        try (var schema = new PgSchema()) {
            var args = new String[] {"migrate", "--data-dir", dir.toString(), "--store", schema.url(),
                    "--store-schema", schema.name};

            var first = Cli.run(args);
            var again = Cli.run(args);

            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.out()).startsWith("spillway: migrated PostgreSQL schema " + schema.name + " (jdbc:postgresql://")
                    .endsWith(" as postgres) from version 0 to " + latest + System.lineSeparator());
            assertThat(again.out()).startsWith("spillway: PostgreSQL schema " + schema.name + " (")
                    .endsWith(") is at version " + latest + ", up to date" + System.lineSeparator());
        }
    }
}
