package io.spillway.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What {@link LoadGenerator} does.
 *
 * @param host          server host
 * @param port          server port
 * @param path          request path, e.g. {@code /v1/jobs}
 * @param body          JSON body to POST, or null to GET
 * @param connections   keep-alive connections, each with its own thread
 * @param duration      how long to send, warm-up included
 * @param warmup        the first part of the run, sent but not measured
 * @param rate          requests per second over all connections (open loop, latency measured
 *                      from each request's intended start), or 0 to send as fast as the
 *                      connections allow (closed loop)
 * @param awaitCompletion after sending, wait for every accepted job to finish and report the
 *                      end-to-end rate
 */
public record LoadSpec(String host, int port, String path, byte[] body, int connections, Duration duration,
                       Duration warmup, double rate, boolean awaitCompletion) {

    public LoadSpec {
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be >= 1");
        }
        if (warmup.compareTo(duration) >= 0) {
            throw new IllegalArgumentException("the warm-up must be shorter than the duration");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("rate must be >= 0");
        }
    }

    /** POSTs of an {@code echo} job with a small input. */
    public static byte[] echoBody() {
        return "{\"task\":\"echo\",\"input\":{\"text\":\"The quick brown fox jumps over the lazy dog.\"}}"
                .getBytes(StandardCharsets.UTF_8);
    }
}
