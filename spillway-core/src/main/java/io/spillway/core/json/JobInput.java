package io.spillway.core.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.core.task.InvalidInputException;
import java.util.Objects;

/**
 * A job's input: the JSON text as the store keeps it, parsed at most once (at submit it arrives
 * parsed; a job claimed from the store is parsed on first use), with readers that refuse a bad
 * field with an {@link InvalidInputException} saying what is wrong. Thread-safe; equal when the
 * texts are equal. The parsed tree is shared: callers must not change it.
 */
public final class JobInput {
    private final String json;
    private volatile ObjectNode parsed;

    private JobInput(String json, ObjectNode parsed) {
        this.json = Objects.requireNonNull(json, "json");
        this.parsed = parsed;
    }

    /** An input as stored; parsed when first read. */
    public static JobInput ofJson(String json) {
        return new JobInput(json, null);
    }

    /** An input parsed already (at submit): written to text once, and read from the tree. */
    public static JobInput of(ObjectNode input) {
        return new JobInput(Json.write(input), input);
    }

    /** The JSON text, as stored. */
    public String json() {
        return json;
    }

    /**
     * The input as a JSON object.
     *
     * @throws InvalidInputException when it is not JSON or not an object
     */
    public ObjectNode object() {
        var p = parsed;
        if (p == null) {
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(json);
            } catch (JacksonException e) {
                throw new InvalidInputException("the input is not JSON");
            }
            if (node == null || !node.isObject()) {
                throw new InvalidInputException("the input must be a JSON object");
            }
            p = (ObjectNode) node;
            parsed = p;
        }
        return p;
    }

    /** A field, or null when absent or JSON null. */
    public JsonNode field(String name) {
        var node = object().get(name);
        return node == null || node.isNull() ? null : node;
    }

    /** A required, non-blank string field of at most {@code maxChars} characters. */
    public String text(String name, int maxChars) {
        var node = field(name);
        if (node == null) {
            throw new InvalidInputException("'" + name + "' is required");
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidInputException("'" + name + "' must be a non-empty string");
        }
        var text = node.asText();
        if (text.length() > maxChars) {
            throw new InvalidInputException("'" + name + "' is " + text.length() + " characters; at most " + maxChars
                    + " (setting max_text_chars / max_document_chars)");
        }
        return text;
    }

    /** An optional string field that, when given, names something (not blank); null when absent. */
    public String name(String name, String what) {
        var node = field(name);
        if (node == null) {
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidInputException("'" + name + "' must be " + what);
        }
        return node.asText();
    }

    /** The optional {@code "model"} field: a model name, or null. */
    public String model() {
        return name("model", "a model name");
    }

    /** An optional whole number in {@code [min, max]}, {@code dflt} when absent. */
    public int intIn(String name, int dflt, int min, int max) {
        var node = field(name);
        if (node == null) {
            return dflt;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw new InvalidInputException("'" + name + "' must be a whole number from " + min + " to " + max);
        }
        return node.asInt();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobInput other && json.equals(other.json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return json;
    }
}
