package io.spillway.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spillway} command. */
@Command(name = "spillway", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Spillway: an asynchronous AI job gateway. Clients submit work over HTTP and get 202 with a "
                + "job id at once; workers run the jobs and store the results.",
        subcommands = {ServeCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        var cli = ServeCommand.configure(new CommandLine(new Main()));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("spillway: " + e.getMessage());
            return 2;
        });
        int code = cli.execute(args);
        if (code != 0 || !ServeCommand.isServing()) {
            System.exit(code);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"spillway " + (v == null ? "dev" : v)};
        }
    }
}
