package io.spillway.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code generate}: {@code {"prompt", "system"?, "max_tokens"?, "temperature"?, "model"?}} →
 * {@code {"text", "model", "finish_reason", "route", "usage": {"model", "provider_model",
 * "input_tokens", "output_tokens", "cost"}}} on a remote text model. {@code "model": "auto"} (or
 * none) takes the cheapest configured model; the result's {@code route} says why. Runs on
 * virtual threads ({@link #waitsOnIo()}): a slow provider holds no CPU worker.
 */
public final class GenerateTask implements TaskHandler {
    public static final String NAME = "generate";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, RemoteModel> models = new LinkedHashMap<>();
    private final RemoteModel cheapest;

    public GenerateTask(List<RemoteModel> remote) {
        if (remote.isEmpty()) {
            throw new IllegalArgumentException("generate needs at least one text model");
        }
        remote.forEach(m -> models.put(m.spec().name(), m));
        cheapest = remote.stream().min(Comparator.comparingDouble(m -> m.spec().inputPricePer1k() + m.spec().outputPricePer1k()))
                .orElseThrow();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean waitsOnIo() {
        return true;
    }

    @Override
    public boolean usesModels() {
        return true;
    }

    private record Request(RemoteModel model, String route, String prompt, String system, Integer maxTokens,
                           Double temperature) {
    }

    @Override
    public void validate(String inputJson) {
        parse(inputJson);
    }

    private Request parse(String inputJson) {
        JsonNode in;
        try {
            in = JSON.readTree(inputJson);
        } catch (IOException e) {
            throw new InvalidInputException("the input is not JSON");
        }
        if (in == null || !in.isObject()) {
            throw new InvalidInputException("the input must be a JSON object");
        }
        var prompt = in.get("prompt");
        if (prompt == null || !prompt.isTextual() || prompt.asText().isBlank()) {
            throw new InvalidInputException("'prompt' must be a non-empty string");
        }
        var system = in.get("system");
        if (system != null && !system.isNull() && !system.isTextual()) {
            throw new InvalidInputException("'system' must be a string");
        }
        var requested = in.path("model").asText("auto");
        RemoteModel model;
        String route;
        if (requested.equals("auto")) {
            model = cheapest;
            route = models.size() == 1 ? "the only text model configured" : "the cheapest configured text model";
        } else {
            model = models.get(requested);
            if (model == null) {
                throw new InvalidInputException("no text model named '" + requested + "'; generate can use: auto, "
                        + String.join(", ", models.keySet()));
            }
            route = "requested";
        }
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
        return new Request(model, route, prompt.asText(), system == null || system.isNull() ? null : system.asText(),
                maxTokens, temperature);
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws InterruptedException {
        var out = new java.util.ArrayList<Outcome>(batch.size());
        for (var job : batch) {
            out.add(runOne(job));
        }
        return out;
    }

    private Outcome runOne(Job job) throws InterruptedException {
        Request r;
        try {
            r = parse(job.input());
        } catch (InvalidInputException e) {
            return Outcome.failed(e.getMessage());
        }
        try {
            var c = r.model().complete(r.system(), r.prompt(), r.maxTokens(), r.temperature());
            var spec = r.model().spec();
            var result = new LinkedHashMap<String, Object>();
            result.put("text", c.text());
            result.put("model", spec.name());
            result.put("finish_reason", c.finishReason());
            result.put("route", r.route());
            var usage = new LinkedHashMap<String, Object>();
            usage.put("model", spec.name());
            usage.put("provider_model", spec.model());
            usage.put("input_tokens", c.inputTokens());
            usage.put("output_tokens", c.outputTokens());
            usage.put("cost", Math.round(spec.cost(c.inputTokens(), c.outputTokens()) * 1e8) / 1e8);
            usage.put("tries", c.tries());
            result.put("usage", usage);
            return Outcome.completed(JSON.writeValueAsString(result));
        } catch (LlmException e) {
            return e.retryable() ? new Outcome.Retry(e.retryAfter(), e.getMessage()) : Outcome.failed(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
