package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.server.config.ConfigException;
import io.spillway.server.config.ServerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without API keys the API listens on a loopback address only, unless told to run open. */
class ProtectedModeTest {
    @Test
    void anotherAddress_isRefusedSayingBothWaysOut() {
        for (var host : new String[] {"0.0.0.0", "::"}) {
            assertThatThrownBy(() -> SpillwayServer.requireProtected(ServerConfig.of(Map.of("host", host))))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("refusing to listen on " + host + ": the API would be open to anyone")
                    .hasMessageContaining("listen on 127.0.0.1 (the default").hasMessageContaining("--auth none");
        }
    }

    @Test
    void loopbackByDefault_orAnyAddressWithAuthNone_starts() {
        for (var settings : new Map[] {Map.of(), Map.of("host", "localhost"), Map.of("host", "::1"),
                Map.of("host", "0.0.0.0", "auth", "none")}) {
            @SuppressWarnings("unchecked")
            var config = ServerConfig.of((Map<String, String>) settings);
            assertThatCode(() -> SpillwayServer.requireProtected(config)).as(settings.toString()).doesNotThrowAnyException();
        }
    }
}
