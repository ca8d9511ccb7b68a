package io.spillway.app;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spillway} command. */
@Command(name = "spillway", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Spillway: an asynchronous AI job gateway. Clients submit work over HTTP and get 202 with a "
                + "job id at once; workers run the jobs and store the results.",
        subcommands = {ServeCommand.class, GatewayCommand.class, WorkerCommand.class, MigrateCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        var cli = RunCommand.configure(new CommandLine(new Main()), List.of("serve", "gateway", "worker", "migrate"));
        for (var name : List.of("serve", "gateway", "worker")) {
            var usage = cli.getSubcommands().get(name).getCommandSpec().usageMessage();
            usage.description(concat(usage.description(), RunCommand.SETTINGS_HELP));
            usage.footer(RunCommand.STOP_HELP);
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("spillway: " + e.getMessage());
            return 2;
        });
        int code = cli.execute(args);
        if (code != 0 || !RunCommand.isServing()) {
            System.exit(code);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        var out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"spillway " + (v == null ? "dev" : v)};
        }
    }
}
