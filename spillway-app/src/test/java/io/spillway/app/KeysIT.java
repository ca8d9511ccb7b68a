package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.server.PgSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spillway keys} as a user runs it: beside a running embedded server (which holds the
 * store), and against PostgreSQL shared by two gateway processes, where a revocation made by the
 * command is refused by both within seconds.
 */
class KeysIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration SOON = Duration.ofSeconds(6);

    @TempDir
    Path work;

    private static int status(int port, String key) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs"));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void besideARunningEmbeddedServer_keysAreCreatedListedAndRevoked() throws Exception {
        var data = work.resolve("data");
        try (var server = ChildServer.start(data)) {
            assertThat(status(server.port(), null)).as("open until a key exists").isEqualTo(200);

            var created = Cli.run("keys", "create", "--data-dir", data.toString(), "--tenant", "acme", "--name", "ci",
                    "--expires", "P90D");
            assertThat(created.code()).as(created.all()).isZero();
            var key = created.out().strip();
            assertThat(key).matches("spw_[a-z2-7]{12}_[0-9A-Za-z]{32}");
            assertThat(created.err()).contains("shown only this once").doesNotContain(key.substring(17));
            var id = key.substring(4, 16);

            await().atMost(SOON).until(() -> status(server.port(), null) == 401);
            assertThat(status(server.port(), key)).isEqualTo(200);

            var listed = Cli.run("keys", "list", "--data-dir", data.toString());
            assertThat(listed.code()).isZero();
            assertThat(listed.out()).contains(id).contains("acme").contains("submit,read").contains("active")
                    .doesNotContain(key.substring(17));

            var revoked = Cli.run("keys", "revoke", "--data-dir", data.toString(), id);
            assertThat(revoked.code()).as(revoked.all()).isZero();
            await().atMost(SOON).until(() -> status(server.port(), key) == 401);
            assertThat(Cli.run("keys", "revoke", "--data-dir", data.toString(), id).err()).contains("was revoked before");
            assertThat(Cli.run("keys", "list", "--data-dir", data.toString()).out()).contains("revoked");
        }
    }

    @Test
    void badArguments_areRefusedSayingWhy_andCreateNothing() {
        var data = work.resolve("data").toString();
        for (var bad : List.of(
                new String[] {"--tenant", "Not A Tenant", "--name", "x"},
                new String[] {"--tenant", "acme", "--name", "x", "--scopes", "submit,everything"},
                new String[] {"--tenant", "acme", "--name", "x", "--expires", "soon"},
                new String[] {"--tenant", "acme", "--name", "x", "--rate", "fast"})) {
            var args = new java.util.ArrayList<>(List.of("keys", "create", "--data-dir", data));
            args.addAll(List.of(bad));
            var r = Cli.run(args.toArray(String[]::new));
            assertThat(r.code()).as(r.all()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
        }
        assertThat(Cli.run("keys", "list", "--data-dir", data).out().lines()).hasSize(1); // the header only
        assertThat(Cli.run("keys", "revoke", "--data-dir", data, "nosuchkey000").err()).contains("no key nosuchkey000");
    }

    @Test
    void twoGatewaysOnPostgres_bothRefuseARevokedKeyWithinSeconds() throws Exception {
        try (var schema = new PgSchema()) {
            var store = new String[] {"--store", schema.url(), "--store-schema", schema.name};
            var migrated = Cli.run("migrate", "--store", schema.url(), "--store-schema", schema.name);
            assertThat(migrated.code()).as(migrated.all()).isZero();
            var created = Cli.run("keys", "create", "--store", schema.url(), "--store-schema", schema.name,
                    "--tenant", "acme", "--name", "ci");
            assertThat(created.code()).as(created.all()).isZero();
            var key = created.out().strip();
            try (var g1 = ChildServer.run(work, "gateway", store);
                 var g2 = ChildServer.run(work, "gateway", store)) {
                for (var g : List.of(g1, g2)) {
                    assertThat(status(g.port(), null)).isEqualTo(401);
                    assertThat(status(g.port(), key)).isEqualTo(200);
                }

                var revoked = Cli.run("keys", "revoke", "--store", schema.url(), "--store-schema", schema.name,
                        key.substring(4, 16));
                assertThat(revoked.code()).as(revoked.all()).isZero();

                await().atMost(SOON).until(() -> status(g1.port(), key) == 401 && status(g2.port(), key) == 401);
            }
        }
    }
}
