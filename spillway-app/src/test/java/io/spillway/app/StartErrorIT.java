package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.server.PgSchema;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that cannot go on says why, in one line naming the cause, and exits at once. */
class StartErrorIT {
    @TempDir
    Path dir;

    @Test
    void start_postgresUnreachableOrUnknownRole_saysWhyAtOnce() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        var refused = Cli.run("migrate", "--data-dir", dir.toString(), "--store", PgSchema.url("127.0.0.1", port));
        var role = Cli.run("serve", "--data-dir", dir.toString(), "--port", "0",
                "--store", PgSchema.url(PgSchema.host(), PgSchema.port()).replace("postgres@", "no_such_role_spillway@"));

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).startsWith("spillway: cannot connect to PostgreSQL jdbc:postgresql://127.0.0.1:" + port
                + "/postgres as postgres: Connection to 127.0.0.1:" + port + " refused");
        assertThat(role.code()).isEqualTo(1);
        assertThat(role.err()).startsWith("spillway: cannot connect to PostgreSQL ")
                .contains("role \"no_such_role_spillway\" does not exist");
    }

    @Test
    void start_dataDirThatIsAFile_saysItIsNotADirectory() throws Exception {
        var file = Files.writeString(dir.resolve("afile"), "x");

        var start = Cli.run("serve", "--data-dir", file.toString(), "--port", "0");

        assertThat(start.code()).isEqualTo(2);
        assertThat(start.err()).isEqualTo("spillway: invalid data_dir (from --data-dir): " + file + " is not a directory"
                + System.lineSeparator());
    }

    @Test
    void start_onEveryAddressWithoutKeys_isRefusedUnlessAuthNone() throws Exception {
        var open = Cli.run("serve", "--data-dir", dir.toString(), "--port", "0", "--host", "0.0.0.0");

        assertThat(open.code()).isEqualTo(2);
        assertThat(open.err()).startsWith("spillway: refusing to listen on 0.0.0.0: the API would be open to anyone");
    }
}
