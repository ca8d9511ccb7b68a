package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every help page and usage error as a user sees it, in a child process: picocli writes its own
 * warnings (a description it cannot format, say) straight to the process's standard error.
 */
class HelpIT {
    @TempDir
    Path work;

    @Test
    void helpAndUsageErrors_printNoPicocliWarning() throws Exception {
        var lines = new ArrayList<String>();
        for (var command : List.of("", "serve ", "gateway ", "worker ", "migrate ", "bench ", "bench load ")) {
            lines.add(command + "--help");
        }
        lines.addAll(List.of("serve --prot 18400", "worker --port", "help serve", "--version"));

        var output = runChild(lines);

        assertThat(output).contains("Usage: spillway serve").contains("--builtin-max-batch").contains("exit 2");
        assertThat(output.lines().filter(l -> l.contains("picocli WARN") || l.contains("Could not format")))
                .as("picocli's warnings").isEmpty();
    }

    private String runChild(List<String> commandLines) throws Exception {
        var argFile = work.resolve("classpath.args");
        Files.writeString(argFile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        var log = work.resolve("child.log");
        var cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx128m", "@" + argFile, HelpPrinter.class.getName()));
        cmd.addAll(commandLines);
        var process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the child did not finish in 60 s:\n" + Files.readString(log));
        }
        return Files.readString(log);
    }
}
