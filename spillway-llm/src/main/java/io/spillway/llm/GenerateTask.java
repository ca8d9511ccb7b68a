package io.spillway.llm;

import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.json.Json;
import io.spillway.core.json.Usage;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code generate}: {@code {"prompt", "system"?, "max_tokens"?, "temperature"?, "model"?}} →
 * {@code {"text", "model", "finish_reason", "route", "usage": {"model", "provider_model",
 * "input_tokens", "output_tokens", "cost"}}} on a remote text model.
 *
 * <p>Routing: {@code "model": "auto"} (or none) ranks every configured model, cheapest first, or
 * for {@code interactive} jobs fastest first (measured latency, else the configured hint; unknown
 * last; then cheapest); a named model is tried first, then its {@code fallback} list. Models whose
 * circuit is open are skipped; a provider failure moves on to the next model of the ranking. The
 * result's {@code route} says which model ran and why. Runs on virtual threads
 * ({@link #waitsOnIo()}): a slow provider holds no CPU worker.
 */
public final class GenerateTask implements TaskHandler {
    public static final String NAME = "generate";

    private final Map<String, RemoteModel> models = new LinkedHashMap<>();

    public GenerateTask(List<RemoteModel> remote) {
        if (remote.isEmpty()) {
            throw new IllegalArgumentException("generate needs at least one text model");
        }
        remote.forEach(m -> models.put(m.spec().name(), m));
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The names of the remote text models. */
    public Set<String> models() {
        return Collections.unmodifiableSet(models.keySet());
    }

    @Override
    public boolean waitsOnIo() {
        return true;
    }

    /**
     * The calls its models take at once now (each at most its {@code max_concurrency}, fewer while
     * it answers 429): more claimed jobs would only wait in this process.
     */
    @Override
    public int concurrency() {
        return models.values().stream().mapToInt(RemoteModel::concurrencyLimit).sum();
    }

    @Override
    public boolean usesModels() {
        return true;
    }

    /** A model to try, and why it is in the plan. */
    private record Candidate(RemoteModel model, String why) {
    }

    private record Request(List<Candidate> plan, String prompt, String system, Integer maxTokens, Double temperature) {
        RemoteModel model() {
            return plan.getFirst().model();
        }
    }

    /** The models to try, in order. */
    private List<Candidate> plan(String requested, Priority priority) {
        var out = new ArrayList<Candidate>();
        if (!requested.equals("auto")) {
            var first = models.get(requested);
            out.add(new Candidate(first, "requested"));
            for (var f : first.spec().fallback()) {
                if (models.containsKey(f) && out.stream().noneMatch(c -> c.model().spec().name().equals(f))) {
                    out.add(new Candidate(models.get(f), "fallback of " + requested));
                }
            }
            return out;
        }
        Comparator<RemoteModel> byPrice = Comparator.comparingDouble(m -> m.spec().price());
        boolean interactive = priority == Priority.INTERACTIVE;
        Comparator<RemoteModel> order = interactive
                ? Comparator.<RemoteModel, Long>comparing(m -> m.expectedLatency() == null ? Long.MAX_VALUE
                        : m.expectedLatency().toMillis()).thenComparing(byPrice)
                : byPrice;
        var ranked = models.values().stream().sorted(order).toList();
        for (int i = 0; i < ranked.size(); i++) {
            var m = ranked.get(i);
            String why;
            if (ranked.size() == 1) {
                why = "the only text model configured";
            } else if (interactive) {
                var l = m.expectedLatency();
                why = (i == 0 ? "interactive: the fastest configured text model" : "interactive: next fastest")
                        + (l == null ? " (latency unknown)" : " (about " + l.toMillis() + " ms)");
            } else {
                why = i == 0 ? "the cheapest configured text model" : "the next cheapest";
            }
            out.add(new Candidate(m, why));
        }
        return out;
    }

    @Override
    public boolean reportsUsage() {
        return true;
    }

    /**
     * The prompt's tokens (counted as one per three characters, more than most texts take) at each
     * planned model's input price plus {@code max_tokens} at its output price, the dearest of the
     * models it may fall back to; empty without {@code max_tokens}, when the answer's length is
     * unbounded.
     */
    @Override
    public OptionalDouble estimateCost(JobInput input, Priority priority) {
        var r = parse(input, priority);
        if (r.maxTokens() == null) {
            return OptionalDouble.empty();
        }
        long promptTokens = (r.prompt().length() + (r.system() == null ? 0 : r.system().length()) + 2) / 3;
        return r.plan().stream().mapToDouble(c -> c.model().spec().cost(promptTokens, r.maxTokens())).max();
    }

    @Override
    public void validate(JobInput input) {
        parse(input, Priority.STANDARD);
    }

    private Request parse(JobInput input, Priority priority) {
        var in = input.object();
        var prompt = in.get("prompt");
        if (prompt == null || !prompt.isTextual() || prompt.asText().isBlank()) {
            throw new InvalidInputException("'prompt' must be a non-empty string");
        }
        var system = in.get("system");
        if (system != null && !system.isNull() && !system.isTextual()) {
            throw new InvalidInputException("'system' must be a string");
        }
        var requested = in.path("model").asText("auto");
        if (!requested.equals("auto") && !models.containsKey(requested)) {
            throw new InvalidInputException("no text model named '" + requested + "'; generate can use: auto, "
                    + String.join(", ", models.keySet()));
        }
        var plan = plan(requested, priority);
        var model = plan.getFirst().model();
        int chars = prompt.asText().length() + (system == null || system.isNull() ? 0 : system.asText().length());
        if (chars > model.spec().maxPromptChars()) {
            throw new InvalidInputException("the prompt is " + chars + " characters; model " + model.spec().name()
                    + " takes at most " + model.spec().maxPromptChars());
        }
        Integer maxTokens = null;
        var mt = in.get("max_tokens");
        if (mt != null && !mt.isNull()) {
            if (!mt.isIntegralNumber() || mt.asInt() < 1 || mt.asInt() > 1_000_000) {
                throw new InvalidInputException("'max_tokens' must be a whole number from 1 to 1000000");
            }
            maxTokens = mt.asInt();
        }
        Double temperature = null;
        var t = in.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
                throw new InvalidInputException("'temperature' must be a number from 0 to 2");
            }
            temperature = t.asDouble();
        }
        return new Request(plan, prompt.asText(), system == null || system.isNull() ? null : system.asText(),
                maxTokens, temperature);
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws Exception {
        return TaskHandler.eachJob(batch, this::runOne);
    }

    private Outcome runOne(Job job) throws InterruptedException {
        var r = parse(job.input(), job.priority());
        var skipped = new ArrayList<String>();
        LlmException lastRetryable = null;
        boolean calledAny = false;
        Duration soonest = null;
        for (var candidate : r.plan()) {
            var model = candidate.model();
            var unavailable = model.unavailableFor();
            if (unavailable != null) {
                skipped.add(model.spec().name() + " (" + (model.circuitOpen() ? "circuit open" : "paused by the provider")
                        + "; it may be called again in " + Math.max(1, unavailable.toSeconds()) + " s)");
                soonest = soonest == null || unavailable.compareTo(soonest) < 0 ? unavailable : soonest;
                continue;
            }
            try {
                var c = model.complete(r.system(), r.prompt(), r.maxTokens(), r.temperature());
                var route = skipped.isEmpty() ? candidate.why()
                        : candidate.why() + "; after " + String.join(", ", skipped);
                return Outcome.completed(result(model.spec(), c, route));
            } catch (LlmException e) {
                if (!e.retryable()) {
                    return Outcome.failed(e.getMessage());
                }
                lastRetryable = e;
                calledAny |= e.called();
                if (!e.called() && e.retryAfter() != null) {
                    soonest = soonest == null || e.retryAfter().compareTo(soonest) < 0 ? e.retryAfter() : soonest;
                }
                skipped.add(model.spec().name() + " (" + e.getMessage() + ")");
            }
        }
        if (!calledAny) {
            // no provider was called: the job waits for a model without spending an attempt
            return Outcome.postponed(soonest == null ? Duration.ofSeconds(5) : soonest,
                    "waiting for a text model: " + String.join(", ", skipped));
        }
        var error = r.plan().size() == 1 ? lastRetryable.getMessage()
                : "every text model failed: " + String.join("; ", skipped);
        return new Outcome.Retry(lastRetryable.retryAfter(), error);
    }

    private static String result(LlmSpec spec, Completion c, String route) {
        var result = new LinkedHashMap<String, Object>();
        result.put("text", c.text());
        result.put("model", spec.name());
        result.put("finish_reason", c.finishReason());
        result.put("route", route);
        result.put("usage", Usage.remote(spec.name(), spec.model(), c.inputTokens(), c.outputTokens(),
                spec.cost(c.inputTokens(), c.outputTokens()), c.tries()).toNode());
        return Json.write(result);
    }
}
