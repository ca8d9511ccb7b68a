package io.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps docs/configuration.md true: every setting is listed with its flag, variable and default. */
class ConfigurationDocTest {
    private static final String HEADER = "| setting | flag | environment | default | meaning |";

    @Test
    void everySettingIsDocumented() throws Exception {
        var rows = settingsTable();
        for (var s : Settings.ALL) {
            var row = rows.stream().filter(l -> l.startsWith("| `" + s.key() + "` |")).findFirst();
            assertThat(row).as("the settings table of docs/configuration.md has no row for " + s.key()).isPresent();
            assertThat(row.get()).contains("`" + s.flag() + "`").contains("`" + s.envName() + "`");
            if (!s.key().equals("worker_threads")) {
                assertThat(row.get()).as(s.key() + " default").contains("`" + s.defaultText() + "`");
            }
        }
    }

    /**
     * A blank or other line inside a Markdown table ends it: the rows after it render as text.
     * So up to the next heading, the table runs from its header to the last line that looks like a
     * row, with nothing else between.
     */
    @Test
    void settingsTable_hasNoBlankOrOtherLineBetweenItsRows() throws Exception {
        var lines = Files.readAllLines(Path.of("..", "docs", "configuration.md"));
        int header = lines.indexOf(HEADER);
        int last = header;
        for (int i = header; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            if (lines.get(i).startsWith("|")) {
                last = i;
            }
        }

        assertThat(header).as("the settings table's header").isNotNegative();
        assertThat(lines.get(header + 1)).isEqualTo("|---|---|---|---|---|");
        for (int i = header + 2; i <= last; i++) {
            assertThat(lines.get(i)).as("docs/configuration.md line " + (i + 1) + " inside the settings table")
                    .matches("\\| `[a-z_]+` \\|.*\\|");
        }
    }

    private static List<String> settingsTable() throws Exception {
        var lines = Files.readAllLines(Path.of("..", "docs", "configuration.md"));
        int header = lines.indexOf(HEADER);
        assertThat(header).as("the settings table's header").isNotNegative();
        return lines.subList(header + 2, lines.size()).stream().takeWhile(l -> l.startsWith("|")).toList();
    }
}
