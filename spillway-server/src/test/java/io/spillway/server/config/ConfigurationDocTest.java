package io.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps docs/configuration.md true: every setting is listed with its flag, variable and default. */
class ConfigurationDocTest {

    @Test
    void everySettingIsDocumented() throws Exception {
        var doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (var s : Settings.ALL) {
            var row = doc.lines().filter(l -> l.startsWith("| `" + s.key() + "` |")).findFirst();
            assertThat(row).as("docs/configuration.md has no row for " + s.key()).isPresent();
            assertThat(row.get()).contains("`" + s.flag() + "`").contains("`" + s.envName() + "`");
            if (!s.key().equals("worker_threads")) {
                assertThat(row.get()).as(s.key() + " default").contains("`" + s.defaultText() + "`");
            }
        }
    }
}
