package io.spillway.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.server.config.Settings;
import io.spillway.server.http.Route;
import io.spillway.server.http.RouteTable;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The {@code spillway} command line in process: help pages, version and usage errors. */
class CommandLineTest {

    @Test
    void help_showsEachSettingsVariableAndWholeDefault() {
        var help = Cli.run("serve", "--help");

        assertThat(help.code()).isZero();
        assertThat(help.out().lines().map(String::strip))
                .contains("(env SPILLWAY_DATA_DIR; default: ./data)", "(env SPILLWAY_STORE_SCHEMA; default: spillway)",
                        "(env SPILLWAY_PIPELINES_FILE;", "default: ./pipelines.yaml)",
                        "(env SPILLWAY_CONFIG;", "default: ./spillway.yaml if present)");
        for (var s : Settings.ALL) {
            assertThat(help.out()).as(s.key()).containsPattern("(?m)^ +(\\(env " + s.envName() + "; )?default: "
                    + Pattern.quote(s.defaultText()) + "\\)$");
        }
        assertThat(help.out()).doesNotContainPattern("default:? \\.\\s*$").doesNotContainPattern("(?m)default: spillway\\.$");
    }

    @Test
    void version_isTheProjectVersion() {
        var expected = System.getProperty("spillway.expected.version");

        var version = Cli.run("--version");

        assertThat(expected).as("the build passes the project version").isNotBlank();
        assertThat(version.code()).isZero();
        assertThat(version.out()).isEqualTo("spillway " + expected + System.lineSeparator());
    }

    @Test
    void unknownOption_printsTheErrorAndTheNearestOptionOnly() {
        var typo = Cli.run("serve", "--prot", "18400");

        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.out()).isEmpty();
        assertThat(typo.err()).isEqualTo("Unknown option: '--prot'. Did you mean --port?" + System.lineSeparator()
                + "See 'spillway serve --help'." + System.lineSeparator());
        assertThat(Cli.run("worker", "--data-dri=x").err()).startsWith("Unknown option: '--data-dri'. Did you mean --data-dir?");
        assertThat(Cli.run("serve", "--verbose").err()).startsWith("Unknown option: '--verbose'." + System.lineSeparator());
    }

    @Test
    void unknownCommandOrMissingValue_printsTheErrorAndWhereTheUsageIs() {
        var command = Cli.run("serv");
        var missing = Cli.run("gateway", "--port");

        assertThat(command.code()).isEqualTo(2);
        assertThat(command.err()).startsWith("Unknown command: 'serv'. Did you mean serve?").contains("See 'spillway --help'.")
                .doesNotContain("Usage:");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("'--port'").contains("See 'spillway gateway --help'.").doesNotContain("Usage:");
    }

    @Test
    void misspeltVariable_isWarnedOfAtStart() {
        var start = Cli.run(Map.of("SPILLWAY_PROT", "18400", "SPILLWAY_PORT", "not-a-port"), "serve");

        assertThat(start.code()).isEqualTo(2);
        assertThat(start.err().lines()).containsExactly(
                "spillway: warning: environment variable SPILLWAY_PROT is not a Spillway setting and is ignored; "
                        + "did you mean SPILLWAY_PORT?",
                "spillway: invalid port (from environment variable SPILLWAY_PORT): 'not-a-port' is not a whole number");
    }

    @Test
    void help_namesEveryRouteAWorkerServes() {
        var workerRoutes = RouteTable.ROUTES.stream().filter(Route::onWorkers).map(Route::path).toList();

        var overview = Cli.run("--help").out().replaceAll("\\s+", " ");
        var worker = Cli.run("worker", "--help").out().replaceAll("\\s+", " ");

        assertThat(workerRoutes).contains("/healthz", "/readyz", "/v1/queue", "/metrics");
        for (var text : List.of(overview, worker)) {
            assertThat(text).contains("HTTP on --port serves only " + String.join(", ", workerRoutes.subList(0, workerRoutes.size() - 1))
                    + " and " + workerRoutes.getLast() + ".");
        }
    }
}
