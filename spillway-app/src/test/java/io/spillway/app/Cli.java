package io.spillway.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the {@code spillway} command line in this process and captures what it prints. */
record Cli(int code, String out, String err) {

    /** {@code spillway <args>} with an empty environment. */
    static Cli run(String... args) {
        return run(Map.of(), args);
    }

    static Cli run(Map<String, String> env, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }

    /** What the user sees: standard output then standard error. */
    String all() {
        return out + err;
    }
}
