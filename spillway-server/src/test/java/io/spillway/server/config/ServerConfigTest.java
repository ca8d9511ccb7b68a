package io.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.Priority;
import io.spillway.core.engine.SchedulingPolicy;
import io.spillway.store.sqlite.Durability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        var f = dir.resolve("spillway.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaults_matchTheDocumentation() {
        var c = ServerConfig.defaults();

        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.durability()).isEqualTo(Durability.CRASH);
        assertThat(c.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(c.defaultMaxAttempts()).isEqualTo(3);
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.scheduling()).isEqualTo(SchedulingPolicy.defaults());
    }

    @Test
    void scheduling_takesAgingWeightsAndQueueLimits_perPriorityOrForAll() {
        var c = ServerConfig.of(Map.of("priority_aging_seconds", "30", "tenant_weights", "acme=3, free=1",
                "max_queue_seconds", "batch=600,standard=PT2M", "max_running_per_tenant", "5"));

        assertThat(c.scheduling().aging()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.scheduling().weight("acme")).isEqualTo(3);
        assertThat(c.scheduling().weight("someone")).isEqualTo(1);
        assertThat(c.scheduling().maxRunningPerTenant()).isEqualTo(5);
        assertThat(c.scheduling().maxQueue()).isEqualTo(Map.of(Priority.BATCH, Duration.ofMinutes(10),
                Priority.STANDARD, Duration.ofMinutes(2)));
        assertThat(ServerConfig.of(Map.of("max_queue_seconds", "90")).scheduling().maxQueue())
                .hasSize(3).containsEntry(Priority.INTERACTIVE, Duration.ofSeconds(90));
    }

    @Test
    void scheduling_badValuesSayWhatIsExpected() {
        assertThatThrownBy(() -> ServerConfig.of(Map.of("tenant_weights", "acme")))
                .hasMessageContaining("invalid tenant_weights").hasMessageContaining("expected tenant=weight pairs");
        assertThatThrownBy(() -> ServerConfig.of(Map.of("tenant_weights", "acme=0")))
                .hasMessageContaining("invalid tenant_weights").hasMessageContaining("out of range");
        assertThatThrownBy(() -> ServerConfig.of(Map.of("tenant_weights", "a=2,a=3"))).hasMessageContaining("'a' is named twice");
        assertThatThrownBy(() -> ServerConfig.of(Map.of("max_queue_seconds", "urgent=5")))
                .hasMessageContaining("invalid max_queue_seconds").hasMessageContaining("expected one of interactive, standard, batch");
        assertThatThrownBy(() -> ServerConfig.of(Map.of("priority_aging_seconds", "0"))).hasMessageContaining("out of range");
    }

    @Test
    void load_flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        var file = yaml("port: 7000\ndata_dir: /srv/a\nmax_body_bytes: 2MiB\ndurability: fsync\n");

        var c = ServerConfig.load(Map.of("port", "9000"),
                Map.of("SPILLWAY_PORT", "8000", "SPILLWAY_DATA_DIR", "/srv/b"), file);

        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.dataDir()).isEqualTo(Path.of("/srv/b"));
        assertThat(c.maxBodyBytes()).isEqualTo(2 << 20);
        assertThat(c.durability()).isEqualTo(Durability.FSYNC);
        assertThat(c.lease()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void load_configFileFromTheEnvironment() throws Exception {
        var file = yaml("worker_threads: 3\n");

        var c = ServerConfig.load(Map.of(), Map.of("SPILLWAY_CONFIG", file.toString()), null);

        assertThat(c.workerThreads()).isEqualTo(3);
    }

    @Test
    void load_badValuesNameTheSettingAndWhereItCameFrom() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(Map.of("port", "http"), Map.of(), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid port (from --port): 'http' is not a whole number");
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), Map.of("SPILLWAY_PORT", "70000"), null))
                .hasMessage("invalid port (from environment variable SPILLWAY_PORT): 70000 is out of range [0, 65535]");
        var file = yaml("max_body_bytes: lots\n");
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), Map.of(), file))
                .hasMessageStartingWith("invalid max_body_bytes (from max_body_bytes in " + file + "): 'lots' is not a size");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("durability", "maybe"), Map.of(), null))
                .hasMessage("invalid durability (from --durability): expected crash or fsync, got 'maybe'");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("virtual_threads", "perhaps"), Map.of(), null))
                .hasMessageContaining("'perhaps' is not true or false");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("drain_timeout_seconds", "-1"), Map.of(), null))
                .hasMessageContaining("out of range [0, 3600] seconds");
    }

    @Test
    void load_refusesUnknownKeysBadYamlAndMissingFiles() throws Exception {
        var typo = yaml("prot: 80\n");
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), Map.of(), typo))
                .hasMessageStartingWith("unknown setting 'prot' in " + typo + "; known settings: ");
        var broken = yaml("port: [1\n");
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), Map.of(), broken)).hasMessageContaining("is not valid YAML");
        var nested = yaml("port:\n  value: 1\n");
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), Map.of(), nested)).hasMessageContaining("must be a single value");
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), Map.of(), dir.resolve("missing.yaml")))
                .hasMessageContaining("does not exist");
    }

    @Test
    void sizesAndDurations_acceptUnits() {
        var c = ServerConfig.of(Map.of("max_body_bytes", "512KiB", "lease_seconds", "PT2M", "max_wait_seconds", "2.5"));

        assertThat(c.maxBodyBytes()).isEqualTo(512 * 1024);
        assertThat(c.lease()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.maxWait()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void load_refusesAKeyGivenTwiceNamingItAndTheFile() throws Exception {
        var twice = yaml("port: 7000\nhost: 127.0.0.1\nport: 7001\n");

        assertThatThrownBy(() -> ServerConfig.load(Map.of(), Map.of(), twice))
                .isInstanceOf(ConfigException.class)
                .hasMessage("setting 'port' is given twice in " + twice + " (line 3); give each setting once");
    }

    @Test
    void unknownEnvironment_warnsOfMisspeltVariablesWithTheNearestOne() {
        var env = Map.of("SPILLWAY_PROT", "1", "SPILLWAY_DATADIR", "/srv", "SPILLWAY_NONSENSE_AT_ALL", "x",
                "SPILLWAY_PORT", "8000", "SPILLWAY_CONFIG", "a.yaml", "SPILLWAY_JAVA_OPTS", "-Xmx1g",
                "SPILLWAY_TEST_PG_URL", "postgresql://x", "PATH", "/bin");

        assertThat(ServerConfig.unknownEnvironment(env)).containsExactly(
                "environment variable SPILLWAY_DATADIR is not a Spillway setting and is ignored; did you mean SPILLWAY_DATA_DIR?",
                "environment variable SPILLWAY_NONSENSE_AT_ALL is not a Spillway setting and is ignored",
                "environment variable SPILLWAY_PROT is not a Spillway setting and is ignored; did you mean SPILLWAY_PORT?");
    }

    /** A variable read anywhere but missing from the known ones would be warned of at every start. */
    @Test
    void otherEnvironment_namesEveryVariableTheCodeAndScriptsRead() throws Exception {
        var root = Path.of("..");
        var files = new ArrayList<Path>(List.of(root.resolve("spillway")));
        try (var tree = Files.walk(root)) {
            tree.filter(Files::isRegularFile)
                    .filter(f -> f.toString().contains("/src/main/") || f.startsWith(root.resolve(".ci"))
                            || f.startsWith(root.resolve("bench")) && f.toString().endsWith(".sh"))
                    .filter(f -> !f.toString().contains("/target/") && !f.toString().contains("/node_modules/"))
                    .forEach(files::add);
        }
        var known = new HashSet<>(ServerConfig.OTHER_ENV);
        Settings.ALL.forEach(s -> known.add(s.envName()));
        var read = new TreeSet<String>();
        var name = Pattern.compile("SPILLWAY_[A-Z0-9_]*[A-Z0-9]");
        for (var f : files) {
            var m = name.matcher(Files.readString(f, StandardCharsets.ISO_8859_1));
            while (m.find()) {
                read.add(m.group());
            }
        }

        assertThat(read).contains("SPILLWAY_JAVA_OPTS", "SPILLWAY_LOG_LEVEL", "SPILLWAY_OPENAI_MODEL");
        assertThat(read).allSatisfy(v -> assertThat(known.contains(v) || v.startsWith("SPILLWAY_TEST"))
                .as(v + " is read but not in ServerConfig.OTHER_ENV").isTrue());
    }

    @Test
    void load_dataDirThatIsAFile_saysItIsNotADirectory() throws Exception {
        var file = Files.writeString(dir.resolve("not-a-dir"), "x");

        assertThatThrownBy(() -> ServerConfig.load(Map.of("data_dir", file.toString()), Map.of(), null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid data_dir (from --data-dir): " + file + " is not a directory");
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), Map.of("SPILLWAY_MODELS_DIR", file.toString()), null))
                .hasMessage("invalid models_dir (from environment variable SPILLWAY_MODELS_DIR): " + file + " is not a directory");
        assertThat(ServerConfig.load(Map.of("data_dir", dir.resolve("new").toString()), Map.of(), null).dataDir())
                .isEqualTo(dir.resolve("new"));
    }
}
