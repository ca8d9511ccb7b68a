package io.spillway.app;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import io.spillway.server.config.NearestName;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code spillway} command. */
@Command(name = "spillway", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Spillway: an asynchronous AI job gateway. Clients submit work over HTTP and get 202 with a "
                + "job id at once; workers run the jobs and store the results.",
        subcommands = {ServeCommand.class, GatewayCommand.class, WorkerCommand.class, MigrateCommand.class, KeysCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** The commands that take every setting as a flag. */
    static final List<String> RUN_COMMANDS = Stream.concat(Stream.of("serve", "gateway", "worker", "migrate"),
            KeysCommand.SUBCOMMANDS.stream()).toList();

    public static void main(String[] args) {
        int code = run(args, System.getenv(), writer(System.out), writer(System.err));
        if (code != 0 || !RunCommand.isServing()) {
            System.exit(code);
        }
    }

    /**
     * Runs the command line without exiting: {@code serve}, {@code gateway} and {@code worker}
     * return 0 once their server runs, and it keeps running on its own threads.
     *
     * @param env the environment the settings are read from
     * @return the process's exit code
     */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        var cli = commandLine(env);
        cli.setOut(out);
        cli.setErr(err);
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The command tree with every setting added as a flag of the run commands. */
    static CommandLine commandLine(Map<String, String> env) {
        var cli = RunCommand.configure(new CommandLine(new Main()), RUN_COMMANDS, env);
        cli.getSubcommands().get("worker").getCommandSpec().usageMessage().description(RunCommand.helpText(WorkerCommand.description()));
        for (var name : List.of("serve", "gateway", "worker")) {
            var usage = cli.getSubcommands().get(name).getCommandSpec().usageMessage();
            usage.description(concat(usage.description(), RunCommand.SETTINGS_HELP));
            usage.footer(RunCommand.STOP_HELP);
        }
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("spillway: " + e.getMessage());
            return 2;
        });
        return cli;
    }

    /**
     * A command line picocli cannot parse: the error alone, with the option or command most likely
     * meant, and where the full usage is, instead of the whole usage page.
     */
    private static int usageError(ParameterException e, String[] args) {
        var cmd = e.getCommandLine();
        var spec = cmd.getCommandSpec();
        var message = e.getMessage();
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            var options = u.getUnmatched().stream().filter(a -> a.startsWith("-")).toList();
            if (!options.isEmpty()) {
                var option = options.getFirst().split("=", 2)[0];
                message = "Unknown option: '" + option + "'."
                        + NearestName.among(option, spec.optionsMap().keySet()).map(n -> " Did you mean " + n + "?").orElse("");
            } else if (!spec.subcommands().isEmpty()) {
                var command = u.getUnmatched().getFirst();
                message = "Unknown command: '" + command + "'."
                        + NearestName.among(command, spec.subcommands().keySet()).map(n -> " Did you mean " + n + "?").orElse("");
            } else {
                message = "Unexpected argument" + (u.getUnmatched().size() > 1 ? "s: " : ": ")
                        + String.join(" ", u.getUnmatched().stream().map(a -> "'" + a + "'").toList()) + ".";
            }
        }
        cmd.getErr().println(message);
        cmd.getErr().println("See '" + spec.qualifiedName() + " --help'.");
        return spec.exitCodeOnInvalidInput();
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, stream.charset()), true);
    }

    private static String[] concat(String[] a, String[] b) {
        var out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * The project version: the jar manifest's {@code Implementation-Version}, or, run from
     * classes, the {@code version.properties} the build writes beside this class.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"spillway " + version()};
        }

        static String version() {
            var v = Main.class.getPackage().getImplementationVersion();
            if (v != null) {
                return v;
            }
            try (var in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    var props = new Properties();
                    props.load(in);
                    v = props.getProperty("version");
                }
            } catch (IOException e) {
                v = null;
            }
            return v == null || v.isBlank() ? "(version unknown)" : v;
        }
    }
}
