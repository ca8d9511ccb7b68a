package io.spillway.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.store.StoreException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A store that cannot connect fails at open with the driver's reason, at once: not after the
 * pool's connection timeout (20 s here) with only HikariCP's "Connection is not available".
 */
class PostgresConnectIT {
    private static final Duration POOL_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void open_portNothingListensOn_failsAtOnceSayingRefused() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        assertFailsFast("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "refused");
    }

    @Test
    void open_unknownRoleOrDatabase_failsAtOnceNamingIt() {
        var server = TestDatabase.config("public").jdbcUrl().replaceFirst("/[^/?]*(\\?.*)?$", "");

        assertFailsFast(server + "/postgres", "no_such_role_spillway", "role \"no_such_role_spillway\" does not exist");
        assertFailsFast(server + "/no_such_db_spillway", TestDatabase.config("public").user(),
                "database \"no_such_db_spillway\" does not exist");
    }

    private static void assertFailsFast(String jdbcUrl, String user, String reason) {
        var config = new PostgresStoreConfig(jdbcUrl, user, null, "spillway_unused", 2, POOL_TIMEOUT);
        long t0 = System.nanoTime();

        assertThatThrownBy(() -> PostgresJobStore.open(config).close())
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot connect to PostgreSQL " + jdbcUrl)
                .hasMessageContaining(reason)
                .hasMessageNotContaining("Connection is not available");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the pool's timeout was waited for").isLessThan(POOL_TIMEOUT.dividedBy(2));
    }
}
