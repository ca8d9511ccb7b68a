package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.keys.ApiKey;
import io.spillway.core.keys.ApiKeys;
import io.spillway.core.keys.KeyScope;
import io.spillway.core.store.InMemoryJobStore;
import io.spillway.server.config.ConfigException;
import io.spillway.server.config.ServerConfig;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Until an API key exists the API listens on a loopback address only, unless told to run open. */
class ProtectedModeTest {
    private final InMemoryJobStore noKeys = new InMemoryJobStore();

    @Test
    void anotherAddress_withoutKeys_isRefusedSayingTheWaysOut() {
        for (var host : new String[] {"0.0.0.0", "::"}) {
            assertThatThrownBy(() -> SpillwayServer.requireProtected(ServerConfig.of(Map.of("host", host)), noKeys))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("refusing to listen on " + host + ": the API would be open to anyone")
                    .hasMessageContaining("spillway keys create").hasMessageContaining("listen on 127.0.0.1 (the default")
                    .hasMessageContaining("--auth none");
        }
    }

    @Test
    void loopbackByDefault_orAnyAddressWithAuthNone_starts() {
        for (var settings : new Map[] {Map.of(), Map.of("host", "localhost"), Map.of("host", "::1"),
                Map.of("host", "0.0.0.0", "auth", "none")}) {
            @SuppressWarnings("unchecked")
            var config = ServerConfig.of((Map<String, String>) settings);
            assertThatCode(() -> SpillwayServer.requireProtected(config, noKeys)).as(settings.toString()).doesNotThrowAnyException();
        }
    }

    @Test
    void anyAddress_onceAKeyExists_starts() {
        var withKey = new InMemoryJobStore();
        var key = ApiKeys.generate();
        withKey.keyInsert(new ApiKey(ApiKeys.idOf(key).orElseThrow(), "acme", "ci", Set.of(KeyScope.SUBMIT),
                ApiKeys.hash(key), Instant.EPOCH, null, null, 0));

        assertThatCode(() -> SpillwayServer.requireProtected(ServerConfig.of(Map.of("host", "0.0.0.0")), withKey))
                .doesNotThrowAnyException();
    }
}
