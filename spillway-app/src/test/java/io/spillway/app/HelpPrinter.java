package io.spillway.app;

import java.io.PrintWriter;
import java.util.Map;

/**
 * Runs several {@code spillway} command lines in one process, printing to the real standard
 * streams (where picocli's own warnings go): each argument is one command line, split on spaces.
 */
public final class HelpPrinter {
    private HelpPrinter() {
    }

    public static void main(String[] commandLines) {
        var out = new PrintWriter(System.out, true);
        var err = new PrintWriter(System.err, true);
        for (var line : commandLines) {
            out.println("$ spillway " + line);
            int code = Main.run(line.split(" "), Map.of(), out, err);
            out.println("exit " + code);
        }
    }
}
