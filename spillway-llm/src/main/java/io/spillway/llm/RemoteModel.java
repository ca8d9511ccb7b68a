package io.spillway.llm;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One remote text model, called through langchain4j's provider client with Spillway's own
 * protection around it:
 * <ul>
 *   <li>at most {@code max_concurrency} calls at once from this process, fewer while the provider
 *       answers 429 or slower than the timeout ({@link CallLimit}; callers wait, on virtual threads);</li>
 *   <li>a 429 pauses every call to this model in the process for the provider's {@code Retry-After}
 *       (or the backoff), so a burst slows down instead of failing;</li>
 *   <li>429, 5xx, timeouts and connection errors are retried up to {@code max_attempts} times
 *       with exponential backoff and full jitter, honouring {@code Retry-After};</li>
 *   <li>a circuit breaker opens after 5 consecutive failed calls for 30 s;</li>
 *   <li>other 4xx and answers that are not chat completions fail at once.</li>
 * </ul>
 * Errors name the model and the provider's host and never carry the API key.
 */
public final class RemoteModel {
    private static final Logger log = LoggerFactory.getLogger(RemoteModel.class);
    private static final Duration BASE_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    /** Longer waits are not slept through in a call: the job is retried later by the engine. */
    private static final Duration MAX_IN_CALL_WAIT = Duration.ofSeconds(30);

    private final LlmSpec spec;
    private final ChatModel chat;
    private final String key;
    private final CallLimit calls;
    private final AtomicLong pausedUntilNanos = new AtomicLong(System.nanoTime()); // nanoTime values compare by difference
    private final CircuitBreaker breaker;
    private final Sleeper sleeper;
    private final ChatModelProvider provider;
    private final LlmObserver observer;
    /** A module provider's models, by generation parameters. */
    private final Map<String, ChatModel> byParameters = new ConcurrentHashMap<>();

    /** Waits; tests replace it to run without real time passing. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public RemoteModel(LlmSpec spec, Map<String, String> env) {
        this(spec, env, LlmObserver.NONE);
    }

    public RemoteModel(LlmSpec spec, Map<String, String> env, LlmObserver observer) {
        this(spec, env, InstantSource.system(), d -> Thread.sleep(d), observer);
    }

    RemoteModel(LlmSpec spec, Map<String, String> env, InstantSource clock, Sleeper sleeper) {
        this(spec, env, clock, sleeper, LlmObserver.NONE);
    }

    RemoteModel(LlmSpec spec, Map<String, String> env, InstantSource clock, Sleeper sleeper, LlmObserver observer) {
        this.observer = observer;
        this.spec = spec;
        this.key = spec.apiKeyEnv() == null ? null : env.get(spec.apiKeyEnv());
        this.calls = new CallLimit(spec.maxConcurrency(), spec.timeout());
        this.breaker = new CircuitBreaker(5, Duration.ofSeconds(30), clock);
        this.sleeper = sleeper;
        this.provider = LlmRepository.providers().get(spec.provider());
        this.chat = provider != null ? null : switch (spec.provider()) {
            case "ollama" -> OllamaChatModel.builder()
                    .maxRetries(0)
                    .baseUrl(spec.baseUrl())
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .httpClientBuilder(new JdkLlmHttpClient.Builder())
                    .build();
            default -> OpenAiChatModel.builder()
                    .baseUrl(spec.baseUrl())
                    .apiKey(key == null || key.isBlank() ? "none" : key)
                    .modelName(spec.model())
                    .timeout(spec.timeout())
                    .maxRetries(0)
                    .logRequests(false)
                    .logResponses(false)
                    .httpClientBuilder(new JdkLlmHttpClient.Builder())
                    .build();
        };
    }

    private volatile double latencyEwmaMs = -1;

    /** Observed call latency (moving average), else the configured hint, else null. */
    public Duration expectedLatency() {
        double ewma = latencyEwmaMs;
        return ewma >= 0 ? Duration.ofMillis((long) ewma) : spec.latencyHint();
    }

    private void observe(long nanos) {
        double ms = nanos / 1e6;
        double ewma = latencyEwmaMs;
        latencyEwmaMs = ewma < 0 ? ms : 0.8 * ewma + 0.2 * ms;
    }

    public LlmSpec spec() {
        return spec;
    }

    /**
     * How long until this model may be called, when that is longer than a call waits by itself
     * (its circuit is open, or the provider asked for a long pause); null when it may be called now.
     */
    public Duration unavailableFor() {
        var open = breaker.openFor();
        if (open != null) {
            return open;
        }
        long paused = pausedUntilNanos.get() - System.nanoTime();
        return paused > MAX_IN_CALL_WAIT.toNanos() ? Duration.ofNanos(paused) : null;
    }

    /** The calls this model takes at once now: at most {@code max_concurrency}, fewer after 429s. */
    public int concurrencyLimit() {
        return calls.current();
    }

    /** Whether the circuit breaker currently refuses calls. */
    public boolean circuitOpen() {
        return breaker.isOpen();
    }

    /**
     * One completion.
     *
     * @throws LlmException when it could not be had; {@link LlmException#retryable()} says whether a later attempt may
     */
    public Completion complete(String system, String prompt, Integer maxTokens, Double temperature)
            throws InterruptedException, LlmException {
        var messages = new ArrayList<ChatMessage>();
        if (system != null) {
            messages.add(SystemMessage.from(system));
        }
        messages.add(UserMessage.from(prompt));
        var chatModel = chat;
        var builder = ChatRequest.builder().messages(messages);
        if (provider == null) {
            builder.maxOutputTokens(maxTokens).temperature(temperature);
        } else {
            if (byParameters.size() > 64) {
                byParameters.clear();
            }
            chatModel = byParameters.computeIfAbsent(maxTokens + "/" + temperature,
                    k -> provider.create(spec, maxTokens, temperature));
        }
        var request = builder.build();
        LlmException last = null;
        for (int attempt = 1; attempt <= spec.maxAttempts(); attempt++) {
            var refusal = breaker.refusal();
            if (refusal != null) {
                observer.called(spec.name(), LlmException.Kind.CIRCUIT_OPEN.label(), 0);
                throw new LlmException(describe() + ": circuit open after repeated failures; it may be called again in "
                        + Math.max(1, refusal.toSeconds()) + " s", LlmException.Kind.CIRCUIT_OPEN, refusal, attempt > 1);
            }
            waitWhilePaused();
            var slot = calls.acquire();
            boolean ended = false;
            long started = System.nanoTime();
            try {
                var response = chatModel.chat(request);
                slot.answered();
                ended = true;
                observe(System.nanoTime() - started);
                observer.called(spec.name(), "ok", System.nanoTime() - started);
                breaker.succeeded();
                var text = response.aiMessage() == null ? null : response.aiMessage().text();
                if (text == null) {
                    throw new LlmException(describe() + ": the answer has no text", LlmException.Kind.BAD_ANSWER, null);
                }
                var usage = response.tokenUsage();
                var completion = new Completion(text, usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount(),
                        usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount(),
                        response.finishReason() == null ? null : response.finishReason().name().toLowerCase(), attempt);
                observer.used(spec.name(), completion.inputTokens(), completion.outputTokens(),
                        spec.cost(completion.inputTokens(), completion.outputTokens()));
                return completion;
            } catch (RuntimeException e) {
                last = classify(e);
                boolean timedOut = System.nanoTime() - started >= spec.timeout().toNanos() * 9 / 10;
                switch (last.kind()) {
                    case RATE_LIMITED -> slot.rateLimited();
                    // a call that ran out its time says the provider is saturated; a refused connection says nothing
                    case TIMEOUT_OR_CONNECTION -> {
                        if (timedOut) {
                            slot.rateLimited();
                        } else {
                            slot.ignored();
                        }
                    }
                    default -> slot.answered();
                }
                ended = true;
                observer.called(spec.name(), last.kind().label(), System.nanoTime() - started);
                if (!last.retryable()) {
                    breaker.succeeded(); // the provider answered; the request was at fault
                    throw last;
                }
                if (last.kind() != LlmException.Kind.RATE_LIMITED) {
                    breaker.failed(); // a 429 is the provider asking for patience, not a broken provider
                }
            } finally {
                if (!ended) {
                    slot.ignored();
                }
            }
            var wait = backoff(attempt, last.retryAfter());
            if (attempt == spec.maxAttempts() || wait.compareTo(MAX_IN_CALL_WAIT) > 0) {
                break;
            }
            log.debug("{}; try {} of {} in {} ms", last.getMessage(), attempt + 1, spec.maxAttempts(), wait.toMillis());
            sleeper.sleep(wait);
        }
        throw last;
    }

    private void waitWhilePaused() throws InterruptedException {
        long left = pausedUntilNanos.get() - System.nanoTime();
        if (left > 0) {
            sleeper.sleep(Duration.ofNanos(left));
        }
    }

    private Duration backoff(int attempt, Duration retryAfter) {
        long cap = Math.min(MAX_BACKOFF.toMillis(), BASE_BACKOFF.toMillis() << Math.min(attempt - 1, 16));
        var jittered = Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        return retryAfter != null && retryAfter.compareTo(jittered) > 0 ? retryAfter : jittered;
    }

    private LlmException classify(RuntimeException e) {
        ProviderHttpException http = null;
        JdkLlmHttpClient.ProviderIoException io = null;
        int status = provider == null ? -1 : provider.statusOf(e);
        for (Throwable t = e; t != null && status < 0; t = t.getCause()) {
            if (t instanceof ProviderHttpException p) {
                http = p;
                status = p.statusCode();
                break;
            }
            if (t instanceof HttpException h && status < 0) {
                status = h.statusCode();
            }
            if (t instanceof JdkLlmHttpClient.ProviderIoException p) {
                io = p;
                break;
            }
        }
        if (io != null) {
            return new LlmException(describe() + ": " + redact(io.getMessage()), LlmException.Kind.TIMEOUT_OR_CONNECTION, null);
        }
        if (status == 429) {
            var after = http == null ? null : http.retryAfter();
            var pause = after != null ? after : BASE_BACKOFF;
            long until = System.nanoTime() + pause.toNanos();
            pausedUntilNanos.accumulateAndGet(until, (a, b) -> a - b > 0 ? a : b);
            return new LlmException(describe() + ": rate limited (429)" + (after == null ? "" : ", retry after "
                    + after.toMillis() + " ms"), LlmException.Kind.RATE_LIMITED, after);
        }
        if (status >= 500 || status == 408) {
            return new LlmException(describe() + ": server error " + status + bodyOf(http), LlmException.Kind.SERVER_ERROR,
                    http == null ? null : http.retryAfter());
        }
        if (status >= 400) {
            var what = switch (status) {
                case 401, 403 -> "the API key was refused (" + status + ")" + (spec.apiKeyEnv() == null ? ""
                        : "; check " + spec.apiKeyEnv());
                case 404 -> "model or endpoint not found (404)";
                default -> "the request was refused (" + status + ")";
            };
            return new LlmException(describe() + ": " + what + bodyOf(http), LlmException.Kind.REFUSED, null);
        }
        return new LlmException(describe() + ": the answer is not a chat completion ("
                + redact(String.valueOf(e.getMessage())) + ")", LlmException.Kind.BAD_ANSWER, null);
    }

    private String bodyOf(ProviderHttpException http) {
        if (http == null || http.getMessage() == null || http.getMessage().isBlank()) {
            return "";
        }
        var body = http.getMessage().replaceAll("\\s+", " ");
        return ": " + redact(body.length() > 200 ? body.substring(0, 200) + "…" : body);
    }

    private String redact(String s) {
        if (s == null || key == null || key.length() < 4) {
            return s;
        }
        return s.replace(key, "***");
    }

    private String describe() {
        String host;
        try {
            host = URI.create(spec.baseUrl()).getHost();
        } catch (IllegalArgumentException e) {
            host = spec.baseUrl();
        }
        return "model " + spec.name() + " (" + spec.model() + " at " + host + ")";
    }
}
