package io.spillway.app;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code spillway serve} as a child process on a free port, for tests that kill it. Its log is
 * kept in the data directory's parent and printed when a wait fails.
 */
public final class ChildServer implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    private final Process process;
    private final Path log;
    private final int port;

    private ChildServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code spillway serve} on the embedded store in {@code dataDir} and waits until it listens. */
    public static ChildServer start(Path dataDir, String... extraArgs) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var args = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
        args.addAll(List.of(extraArgs));
        return run(dataDir.toAbsolutePath().getParent(), "serve", args.toArray(String[]::new));
    }

    /** Starts {@code spillway <command> <args>} with its files in {@code work} and waits until it listens. */
    public static ChildServer run(Path work, String command, String... extraArgs) {
        try {
            var argFile = work.resolve("child-classpath.args");
            Files.writeString(argFile, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
            var log = Files.createTempFile(work, "child-" + command + "-", ".log");
            var logback = Path.of(Main.class.getResource("/logback.xml").toURI());
            var cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx256m", "-Dlogback.configurationFile=" + logback,
                    "@" + argFile, Main.class.getName(), command, "--port", "0", "--host", "127.0.0.1"));
            cmd.addAll(List.of(extraArgs));
            var process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int[] port = new int[1];
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the server exited with " + process.exitValue() + ":\n" + Files.readString(log));
                    }
                    var m = LISTENING.matcher(Files.readString(log));
                    if (m.find()) {
                        port[0] = Integer.parseInt(m.group(1));
                        return true;
                    }
                    return false;
                });
            } catch (RuntimeException e) {
                process.destroyForcibly();
                throw new IllegalStateException("child server did not start; log:\n" + Files.readString(log), e);
            }
            return new ChildServer(process, log, port[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** {@code kill -9}: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for a clean exit; returns the exit code. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the server did not stop within 60 s of SIGTERM; log:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
