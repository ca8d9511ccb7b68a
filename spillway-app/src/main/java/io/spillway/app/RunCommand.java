package io.spillway.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.spillway.core.store.StoreException;
import io.spillway.llm.LlmConfigException;
import io.spillway.onnx.ModelRepositoryException;
import io.spillway.server.Role;
import io.spillway.server.SpillwayServer;
import io.spillway.server.config.ConfigException;
import io.spillway.server.config.ServerConfig;
import io.spillway.server.config.Setting;
import io.spillway.server.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The commands that run a Spillway process ({@code serve}, {@code gateway}, {@code worker}) or
 * prepare its store ({@code migrate}): they share every setting, as flags built from
 * {@link Settings}.
 */
abstract class RunCommand implements Callable<Integer> {
    static final String[] SETTINGS_HELP = {"",
            "Every setting can come from a flag, an environment variable or spillway.yaml (in the working "
                    + "directory, or the file given by --config / SPILLWAY_CONFIG); a flag wins over the "
                    + "environment, which wins over the file. A bad value stops the start with a message "
                    + "naming the setting.", ""};
    static final String[] STOP_HELP = {"", "On SIGTERM or Ctrl-C the process stops accepting jobs (503), lets running "
            + "jobs finish for up to drain_timeout_seconds and hands the rest back to the queue: nothing accepted is lost."};

    /** The widest line that fits the description column of an 80-column help page. */
    private static final int SOURCES_WIDTH = 50;

    private static volatile boolean serving;

    @Spec
    CommandSpec spec;

    /** The environment settings are read from; the process's unless a test gives another. */
    Map<String, String> env = System.getenv();

    @Option(names = "--config", paramLabel = "FILE", order = 0,
            description = {"config file", "(env SPILLWAY_CONFIG;", "default: ./spillway.yaml if present)"})
    Path configFile;

    abstract Role role();

    /** The settings this command takes as flags (the others still come from the environment and the file). */
    List<Setting<?>> settings() {
        return Settings.ALL;
    }

    static boolean isServing() {
        return serving;
    }

    /**
     * Adds one option per {@link Settings} entry to each of these commands, which read the
     * settings' environment variables from {@code env}.
     */
    static CommandLine configure(CommandLine root, List<String> commands, Map<String, String> env) {
        for (var name : commands) {
            var sub = root;
            for (var part : name.split(" ")) {
                sub = sub.getSubcommands().get(part); // "keys create": a subcommand's subcommand
            }
            var command = (RunCommand) sub.getCommand();
            command.env = env;
            var spec = sub.getCommandSpec();
            int order = 1;
            for (var s : command.settings()) {
                spec.addOption(OptionSpec.builder(s.flag())
                        .paramLabel(s.key().toUpperCase(Locale.ROOT).replace("_SECONDS", "_S"))
                        .type(String.class)
                        .order(order++)
                        .description(optionHelp(s.description(), s.envName(), s.defaultText()))
                        .build());
            }
        }
        return root;
    }

    /**
     * An option's description lines: what it does, then its variable and default on a line of
     * their own (two when long), so that wrapping never splits the default: picocli breaks lines
     * after a dot, which would leave {@code default: .} above {@code /data}.
     */
    static String[] optionHelp(String description, String envName, String defaultText) {
        var sources = "(env " + envName + (defaultText == null ? ")" : "; default: " + defaultText + ")");
        var lines = sources.length() <= SOURCES_WIDTH || defaultText == null
                ? new String[] {description, sources}
                : new String[] {description, "(env " + envName + ";", "default: " + defaultText + ")"};
        for (int i = 0; i < lines.length; i++) {
            lines[i] = helpText(lines[i]);
        }
        return lines;
    }

    /**
     * Text as picocli shows it: picocli formats every description line with
     * {@link String#format}, so a {@code %} in a setting's text must be doubled, and expands
     * {@code ${...}}, which {@code $$} escapes.
     */
    static String helpText(String text) {
        return text.replace("%", "%%").replace("${", "$${");
    }

    /** The resolved settings, or null after printing why they are bad. */
    ServerConfig loadConfig() {
        var flags = new HashMap<String, String>();
        for (var s : settings()) {
            String v = spec.findOption(s.flag()).getValue();
            if (v != null) {
                flags.put(s.key(), v);
            }
        }
        ServerConfig.unknownEnvironment(env).forEach(w -> spec.commandLine().getErr().println("spillway: warning: " + w));
        try {
            return ServerConfig.load(flags, env, configFile);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("spillway: " + e.getMessage());
            return null;
        }
    }

    @Override
    public Integer call() {
        var config = loadConfig();
        if (config == null) {
            return 2;
        }
        if (config.logFormat().equals("json")) {
            useJsonLogs();
        }
        SpillwayServer server;
        try {
            server = SpillwayServer.start(config, role(), List.of());
        } catch (ConfigException | ModelRepositoryException | LlmConfigException e) {
            spec.commandLine().getErr().println("spillway: " + e.getMessage());
            return 2;
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
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext lc) {
                lc.stop();
            }
        }));
        return 0;
    }

    /** Switches Logback to one JSON object per line (logback-json.xml). */
    private static void useJsonLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext lc) {
            try {
                var configurator = new JoranConfigurator();
                configurator.setContext(lc);
                lc.reset();
                configurator.doConfigure(RunCommand.class.getResource("/logback-json.xml"));
            } catch (JoranException e) {
                System.err.println("spillway: cannot switch to JSON logs: " + e.getMessage());
            }
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
