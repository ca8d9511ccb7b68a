package io.spillway.llm;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local server speaking the providers' wire protocols for tests (OpenAI's chat completions,
 * Ollama's /api/chat): it answers from a script (success, 429 with Retry-After, 5xx, slow,
 * garbage) and records what it received.
 */
public final class FakeProvider implements AutoCloseable {
    /** One scripted answer. */
    public record Answer(int status, Map<String, String> headers, String body, long delayMs) {
    }

    /** What a request carried. */
    public record Received(String path, String authorization, String body) {
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    public final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    public final AtomicInteger maxActive = new AtomicInteger();
    private volatile Answer fallback = ok("Hello from the fake model.", 12, 7);

    public FakeProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            int now = active.incrementAndGet();
            maxActive.accumulateAndGet(now, Math::max);
            try {
                var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                received.add(new Received(exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"), body));
                var answer = script.poll();
                if (answer == null) {
                    answer = fallback;
                }
                if (answer.delayMs() > 0) {
                    Thread.sleep(answer.delayMs());
                }
                var bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                answer.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                exchange.sendResponseHeaders(answer.status(), bytes.length);
                exchange.getResponseBody().write(bytes);
            } catch (InterruptedException | IOException e) {
                // the client went away
            } finally {
                active.decrementAndGet();
                exchange.close();
            }
        });
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public FakeProvider then(Answer a) {
        script.add(a);
        return this;
    }

    public void always(Answer a) {
        fallback = a;
    }

    public static Answer ok(String text, int inputTokens, int outputTokens) {
        return new Answer(200, Map.of(), """
                {"id": "chatcmpl-1", "object": "chat.completion", "created": 1764000000, "model": "fake-1",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": %s}, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": %d, "completion_tokens": %d, "total_tokens": %d}}
                """.formatted(quote(text), inputTokens, outputTokens, inputTokens + outputTokens), 0);
    }

    /** Ollama's /api/chat answer (stream false). */
    public static Answer ollamaOk(String text, int inputTokens, int outputTokens) {
        return new Answer(200, Map.of(), """
                {"model": "llama3.2", "created_at": "2026-11-25T10:00:00Z", "message": {"role": "assistant", "content": %s},
                 "done": true, "done_reason": "stop", "prompt_eval_count": %d, "eval_count": %d}
                """.formatted(quote(text), inputTokens, outputTokens), 0);
    }

    public static Answer status(int status, String body, Map<String, String> headers) {
        return new Answer(status, headers, body, 0);
    }

    public static Answer slow(long delayMs) {
        var ok = ok("late", 1, 1);
        return new Answer(200, Map.of(), ok.body(), delayMs);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
