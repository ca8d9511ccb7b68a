package io.spillway.documents;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts documents in child JVMs ({@link ExtractorChild}), each with a heap of its own, so
 * what a document costs is bounded whatever it holds: a document that needs more memory than a
 * child has, or that runs past the time limit, ends that child and fails its own job, and this
 * process does not notice beyond the answer. Children start on first use (a second or two:
 * a JVM and Tika's parsers), serve one document at a time and are reused; at most
 * {@code processes} run, and further extractions wait for one. Thread-safe.
 *
 * <p>Implementation notes: a child answers on standard output, read by a thread of its own into
 * a queue, so a wait for an answer has a deadline: the limit's timeout plus {@link #GRACE}
 * (the child stops a parse at the timeout itself; the grace covers a parse that does not
 * notice). A child past the deadline is killed. A child is in {@code idle} or held by exactly
 * one caller; {@code slots} counts the children that may still be started or taken.
 */
public final class ForkedExtractor implements Extractor {
    private static final Logger log = LoggerFactory.getLogger(ForkedExtractor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How much longer than the timeout a child may take to answer before it is killed. */
    static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** The parsers and language profiles alone hold about 95 MiB and need more while they load. */
    public static final long MIN_HEAP = 160L << 20;
    /** The JVM's exit status after {@code -XX:+ExitOnOutOfMemoryError}. */
    private static final int OUT_OF_MEMORY_EXIT = 3;
    private static final String EOF = "\u0000eof";

    private final ExtractLimits limits;
    private final long heapBytes;
    private final List<String> command;
    private final Semaphore slots;
    private final BlockingQueue<Child> idle = new LinkedBlockingQueue<>();
    private final Set<Child> all = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param processes  most children at once (and so most documents extracted at once)
     * @param heapBytes  each child's heap ({@code -Xmx})
     * @param jvmOptions more options for the child JVMs (system properties, for example)
     */
    public ForkedExtractor(ExtractLimits limits, int processes, long heapBytes, List<String> jvmOptions) {
        if (processes < 1 || heapBytes < MIN_HEAP) {
            throw new IllegalArgumentException("at least one process of at least " + (MIN_HEAP >> 20) + " MiB");
        }
        this.limits = limits;
        this.heapBytes = heapBytes;
        this.slots = new Semaphore(processes);
        var cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms16m", "-Xmx" + (heapBytes >> 10) + "k", "-XX:+ExitOnOutOfMemoryError",
                "-XX:+DisplayVMOutputToStderr", "-XX:+UseSerialGC",
                "-Djava.awt.headless=true"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ExtractorChild.class.getName(),
                String.valueOf(limits.maxBytes()), String.valueOf(limits.maxChars()),
                String.valueOf(limits.timeout().toMillis()), String.valueOf(limits.maxPartBytes())));
        this.command = List.copyOf(cmd);
    }

    public ExtractLimits limits() {
        return limits;
    }

    /** Children running now, idle or busy. */
    public int processes() {
        return all.size();
    }

    /**
     * Extracts a document in a child.
     *
     * @throws IllegalStateException when no child could be started (retrying may help)
     */
    @Override
    public Extracted extract(Path file, String filename) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("the extractor is closed");
        }
        slots.acquire();
        Child child = null;
        boolean reusable = false;
        try {
            child = idle.poll();
            if (child == null || !child.process.isAlive()) {
                if (child != null) {
                    child.destroy();
                }
                child = start();
            }
            var request = JSON.createObjectNode().put("path", file.toAbsolutePath().toString()).put("filename", filename);
            var reply = child.call(JSON.writeValueAsString(request), limits.timeout().plus(GRACE));
            reusable = !reply.path("retire").asBoolean();
            if (reply.has("error")) {
                throw new DocumentException(reply.get("error").asText());
            }
            if (reply.has("failure")) {
                throw new IllegalStateException("extraction failed: " + reply.get("failure").asText());
            }
            Map<String, Object> metadata = JSON.convertValue(reply.get("metadata"), new TypeReference<>() {
            });
            return new Extracted(reply.path("text").asText(), reply.path("truncated").asBoolean(), metadata,
                    reply.path("compute_ms").asLong());
        } catch (IOException e) {
            throw new IllegalStateException("cannot talk to the extraction process: " + e.getMessage(), e);
        } finally {
            if (child != null) {
                if (reusable && !closed) {
                    idle.add(child);
                } else {
                    child.destroy();
                }
            }
            slots.release();
        }
    }

    private Child start() throws InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start an extraction process (" + command.getFirst() + "): "
                    + e.getMessage(), e);
        }
        var child = new Child(process);
        all.add(child);
        String first;
        try {
            first = child.answers.poll(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            child.destroy();
            throw e;
        }
        if (!ExtractorChild.READY.equals(first)) {
            child.destroy();
            if (first == null) {
                throw new IllegalStateException("the extraction process did not start within " + STARTUP.toSeconds()
                        + " s and was killed");
            }
            process.waitFor(5, TimeUnit.SECONDS);
            var status = process.isAlive() ? "none" : String.valueOf(process.exitValue());
            throw new IllegalStateException("the extraction process exited at start (status " + status + ")"
                    + (status.equals(String.valueOf(OUT_OF_MEMORY_EXIT)) ? ": its heap of " + (heapBytes >> 20)
                    + " MiB is too small for the parsers (setting extract_heap_bytes)" : "; its log says why"));
        }
        log.debug("extraction process {} started", process.pid());
        return child;
    }

    /** Stops every child; an extraction in progress fails. */
    @Override
    public void close() {
        closed = true;
        for (var child : List.copyOf(all)) {
            child.destroy();
        }
        idle.clear();
    }

    /** One child process: its requests go to its standard input, its answers come back through {@code answers}. */
    private final class Child {
        final Process process;
        final OutputStream requests;
        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

        Child(Process process) {
            this.process = process;
            this.requests = process.getOutputStream();
            Thread.ofPlatform().daemon(true).name("spillway-extract-reader-" + process.pid()).start(this::readAnswers);
        }

        private void readAnswers() {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (var line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("{")) {
                        answers.add(line);
                    } else {
                        log.warn("extraction process {}: {}", process.pid(), line); // the JVM's own messages
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
            answers.add(EOF);
        }

        /** Sends one request and waits for its answer, killing the child past {@code deadline}. */
        JsonNode call(String request, Duration deadline) throws IOException, InterruptedException {
            requests.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            requests.flush();
            String answer;
            try {
                answer = answers.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                destroy();
                throw e;
            }
            if (answer == null) {
                destroy();
                log.warn("extraction process {} did not answer within {} ms and was killed", process.pid(), deadline.toMillis());
                throw new DocumentException("extraction took longer than " + limits.timeout().toMillis()
                        + " ms and was stopped (setting extract_timeout_seconds); the document may be malformed or too complex");
            }
            if (answer.equals(EOF)) {
                throw died();
            }
            return JSON.readTree(answer);
        }

        private RuntimeException died() throws InterruptedException {
            if (closed) {
                return new IllegalStateException("the extractor was closed during the extraction");
            }
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                destroy();
            }
            int status = process.isAlive() ? -1 : process.exitValue();
            destroy();
            if (status == OUT_OF_MEMORY_EXIT) {
                log.warn("extraction process {} ran out of memory ({} MiB heap) and exited", process.pid(), heapBytes >> 20);
                return new DocumentException("the document needs more memory to extract than the " + (heapBytes >> 20)
                        + " MiB an extraction may use (setting extract_heap_bytes); it was not extracted");
            }
            log.warn("extraction process {} exited with status {} while reading a document", process.pid(), status);
            return new DocumentException("the extraction process stopped (exit status " + status
                    + ") while reading the document; it was not extracted");
        }

        void destroy() {
            all.remove(this);
            process.destroyForcibly();
        }
    }
}
