package io.spillway.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a job's work used, as its result reports it under {@code usage}: the model, compute time
 * or tokens, the cost, and for a pipeline each step's usage. Null fields are left out of the JSON.
 *
 * @param model         the model (or method) that did the work; null when a task did not say
 * @param providerModel a remote model's name at its provider, or null
 * @param computeMs     in-process compute time, or null
 * @param tokens        tokens of an in-process model, or null
 * @param inputTokens   a remote model's prompt tokens, or null
 * @param outputTokens  a remote model's completion tokens, or null
 * @param cost          what the work cost (models are priced; parsing is not)
 * @param tries         calls made to a remote model, or null
 * @param steps         a pipeline's usage per step, or null
 */
public record Usage(String model, String providerModel, Long computeMs, Long tokens, Long inputTokens,
                    Long outputTokens, double cost, Integer tries, Map<String, Usage> steps) {

    /** Reads one field's value of a larger document (what follows it is not this reader's). */
    private static final ObjectReader FIELD_READER = Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public Usage {
        steps = steps == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }

    /** An in-process model's usage. */
    public static Usage compute(String model, long computeMs, long tokens, double cost) {
        return new Usage(model, null, computeMs, tokens, null, null, cost, null, null);
    }

    /** Work that is not priced and counts no tokens (parsing a document). */
    public static Usage unpriced(String model, long computeMs) {
        return new Usage(model, null, computeMs, null, null, null, 0.0, null, null);
    }

    /** A remote model's usage. */
    public static Usage remote(String model, String providerModel, long inputTokens, long outputTokens, double cost, int tries) {
        return new Usage(model, providerModel, null, null, inputTokens, outputTokens, round(cost), tries, null);
    }

    /** The usage of a composed job: compute, tokens (of any kind) and cost summed over its steps. */
    public static Usage ofSteps(String model, Map<String, Usage> steps) {
        long computeMs = 0;
        long tokens = 0;
        double cost = 0;
        for (var u : steps.values()) {
            computeMs += orZero(u.computeMs);
            tokens += orZero(u.tokens) + orZero(u.inputTokens) + orZero(u.outputTokens);
            cost += u.cost;
        }
        return new Usage(model, null, computeMs, tokens, null, null, round(cost), null, steps);
    }

    /** The {@code usage} object of a result, or null when it has none. */
    public static Usage read(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return null;
        }
        Map<String, Usage> steps = null;
        if (usage.path("steps").isObject()) {
            steps = new LinkedHashMap<>();
            for (var e : usage.get("steps").properties()) {
                var step = read(e.getValue());
                if (step != null) {
                    steps.put(e.getKey(), step);
                }
            }
        }
        return new Usage(text(usage, "model"), text(usage, "provider_model"), number(usage, "compute_ms"),
                number(usage, "tokens"), number(usage, "input_tokens"), number(usage, "output_tokens"),
                usage.path("cost").asDouble(0), usage.path("tries").isInt() ? usage.get("tries").asInt() : null, steps);
    }

    /**
     * The top-level {@code usage} of a result, or null when it has none or is not an object: reads
     * past the other fields without building them.
     */
    public static Usage fromResult(String resultJson) {
        if (!resultJson.contains("\"usage\"")) {
            return null;
        }
        try (var p = Json.MAPPER.createParser(resultJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                var name = p.currentName();
                var value = p.nextToken();
                if (name.equals("usage")) {
                    return value == JsonToken.START_OBJECT ? read(FIELD_READER.readTree(p)) : null;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes {@code "usage": {...}} into the object being generated. */
    public void writeField(JsonGenerator g) throws IOException {
        g.writeFieldName("usage");
        write(g);
    }

    private void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        if (model != null) {
            g.writeStringField("model", model);
        }
        if (providerModel != null) {
            g.writeStringField("provider_model", providerModel);
        }
        writeNumber(g, "compute_ms", computeMs);
        writeNumber(g, "tokens", tokens);
        writeNumber(g, "input_tokens", inputTokens);
        writeNumber(g, "output_tokens", outputTokens);
        g.writeNumberField("cost", cost);
        if (tries != null) {
            g.writeNumberField("tries", tries);
        }
        if (steps != null) {
            g.writeObjectFieldStart("steps");
            for (var e : steps.entrySet()) {
                g.writeFieldName(e.getKey());
                e.getValue().write(g);
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** As a JSON tree, for results built as trees. */
    public ObjectNode toNode() {
        var node = JsonNodeFactory.instance.objectNode();
        if (model != null) {
            node.put("model", model);
        }
        if (providerModel != null) {
            node.put("provider_model", providerModel);
        }
        putNumber(node, "compute_ms", computeMs);
        putNumber(node, "tokens", tokens);
        putNumber(node, "input_tokens", inputTokens);
        putNumber(node, "output_tokens", outputTokens);
        node.put("cost", cost);
        if (tries != null) {
            node.put("tries", tries);
        }
        if (steps != null) {
            var s = node.putObject("steps");
            steps.forEach((name, u) -> s.set(name, u.toNode()));
        }
        return node;
    }

    private static void writeNumber(JsonGenerator g, String name, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value);
        }
    }

    private static void putNumber(ObjectNode node, String name, Long value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static String text(JsonNode node, String name) {
        return node.path(name).isTextual() ? node.get(name).asText() : null;
    }

    private static Long number(JsonNode node, String name) {
        return node.path(name).isIntegralNumber() ? node.get(name).asLong() : null;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static double round(double cost) {
        return Math.round(cost * 1e8) / 1e8;
    }
}
