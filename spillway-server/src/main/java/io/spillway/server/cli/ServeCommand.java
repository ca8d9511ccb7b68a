package io.spillway.server.cli;

import io.spillway.server.SpillwayServer;
import io.spillway.server.config.ConfigException;
import io.spillway.server.config.ServerConfig;
import io.spillway.server.config.Settings;
import io.spillway.core.store.StoreException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code spillway serve}: the embedded shape (HTTP API + workers + SQLite store) in one process. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run Spillway in one process: the HTTP API, the workers and an embedded SQLite store.",
                "",
                "Every setting can come from a flag, an environment variable or spillway.yaml (in the working "
                        + "directory, or the file given by --config / SPILLWAY_CONFIG); a flag wins over the "
                        + "environment, which wins over the file. A bad value stops the start with a message "
                        + "naming the setting.",
                ""},
        footer = {"", "On SIGTERM or Ctrl-C, Spillway stops accepting jobs (503), lets running jobs finish for up to "
                + "drain_timeout_seconds and hands the rest back to the queue: nothing accepted is lost."})
public final class ServeCommand implements Callable<Integer> {
    private static volatile boolean serving;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", order = 0,
            description = "config file (env SPILLWAY_CONFIG; default: spillway.yaml in the working directory, if present)")
    Path configFile;

    /** Adds one option per {@link Settings} entry; called once when the command line is built. */
    static void addSettingOptions(CommandSpec spec) {
        int order = 1;
        for (var s : Settings.ALL) {
            spec.addOption(OptionSpec.builder(s.flag())
                    .paramLabel(s.key().toUpperCase(java.util.Locale.ROOT).replace("_SECONDS", "_S"))
                    .type(String.class)
                    .order(order++)
                    .description(s.description() + " (env " + s.envName() + ", default " + s.defaultText() + ")")
                    .build());
        }
    }

    static boolean isServing() {
        return serving;
    }

    @Override
    public Integer call() {
        var flags = new HashMap<String, String>();
        for (var s : Settings.ALL) {
            String v = spec.findOption(s.flag()).getValue();
            if (v != null) {
                flags.put(s.key(), v);
            }
        }
        ServerConfig config;
        try {
            config = ServerConfig.load(flags, System.getenv(), configFile);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("spillway: " + e.getMessage());
            return 2;
        }
        SpillwayServer server;
        try {
            server = SpillwayServer.start(config);
        } catch (StoreException e) {
            spec.commandLine().getErr().println("spillway: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("spillway: cannot start: " + rootMessage(e));
            return 1;
        }
        serving = true;
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("spillway-shutdown").unstarted(() -> {
            server.stop();
            if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext lc) {
                lc.stop();
            }
        }));
        return 0;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }

    static CommandLine configure(CommandLine root) {
        addSettingOptions(root.getSubcommands().get("serve").getCommandSpec());
        return root;
    }
}
