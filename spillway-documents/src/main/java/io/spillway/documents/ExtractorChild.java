package io.spillway.documents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The program a {@link ForkedExtractor} runs in each child process: a {@link DocumentExtractor}
 * that reads one request per line on standard input ({@code {"path", "filename"}}) and answers
 * one JSON line on standard output ({@code {"text", "truncated", "metadata", "compute_ms"}},
 * {@code {"error"}} for a document that cannot be extracted, or {@code {"failure"}} for anything
 * else). It first writes {@code {"ready": true}}, and exits when standard input closes. A parse
 * that ran out of time and does not stop within {@link #SETTLE} would weigh on the next
 * document: the answer then says {@code "retire": true} and the process exits. Logging and
 * anything else written to standard output goes to standard error. Not an API.
 */
public final class ExtractorChild {
    static final String READY = "{\"ready\":true}";
    static final Duration SETTLE = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExtractorChild() {
    }

    /** @param args max bytes, max characters, timeout in ms, max expanded part bytes */
    public static void main(String[] args) throws IOException {
        OutputStream replies = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err); // standard output carries replies only
        var limits = new ExtractLimits(Long.parseLong(args[0]), Integer.parseInt(args[1]),
                Duration.ofMillis(Long.parseLong(args[2])), Long.parseLong(args[3]));
        var requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (var extractor = new DocumentExtractor(limits)) {
            reply(replies, READY);
            for (var line = requests.readLine(); line != null; line = requests.readLine()) {
                var answer = answer(extractor, line);
                boolean retire = !settled(extractor);
                if (retire) {
                    answer.put("retire", true);
                }
                reply(replies, JSON.writeValueAsString(answer));
                if (retire) {
                    System.exit(0);
                }
            }
        }
    }

    private static ObjectNode answer(DocumentExtractor extractor, String line) {
        var out = JSON.createObjectNode();
        try {
            var request = JSON.readTree(line);
            var filename = request.path("filename").isTextual() ? request.get("filename").asText() : null;
            var e = extractor.extract(Path.of(request.path("path").asText()), filename);
            out.put("text", e.text());
            out.put("truncated", e.truncated());
            out.set("metadata", JSON.valueToTree(e.metadata()));
            out.put("compute_ms", e.computeMs());
        } catch (DocumentException e) {
            out.put("error", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.put("failure", "interrupted");
        } catch (IOException | RuntimeException e) {
            out.put("failure", e.toString());
        }
        return out;
    }

    /** Whether every parse has ended, waiting up to {@link #SETTLE} for one that was stopped. */
    private static boolean settled(DocumentExtractor extractor) {
        long end = System.nanoTime() + SETTLE.toNanos();
        while (extractor.parsesRunning() > 0 && System.nanoTime() < end) {
            LockSupport.parkNanos(10_000_000);
        }
        return extractor.parsesRunning() == 0;
    }

    private static void reply(OutputStream out, String json) throws IOException {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
