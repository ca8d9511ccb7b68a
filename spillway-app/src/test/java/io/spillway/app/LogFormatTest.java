package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The text log as configured in logback.xml: one line per event, whatever a message holds. */
class LogFormatTest {
    private static String configuredPattern() throws IOException {
        try (var in = LogFormatTest.class.getResourceAsStream("/logback.xml")) {
            var xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            var m = Pattern.compile("<pattern>(.*)</pattern>").matcher(xml);
            assertThat(m.find()).as("logback.xml has a pattern").isTrue();
            return m.group(1);
        }
    }

    @Test
    void aMessageWithLineBreaks_staysOneLine_soNoValueCanForgeAnEntry() throws IOException {
        var context = new LoggerContext();
        var layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(configuredPattern());
        layout.start();
        var logger = context.getLogger("test");
        var event = new LoggingEvent("test", logger, Level.WARN,
                "unknown task 'x'\n12:00:00.000 INFO  SpillwayServer - admin logged in\r\nand\rmore", null, null);

        var line = layout.doLayout(event);

        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\r")
                .endsWith("WARN  test - unknown task 'x'\\n12:00:00.000 INFO  SpillwayServer - admin logged in\\nand\\nmore");
    }
}
