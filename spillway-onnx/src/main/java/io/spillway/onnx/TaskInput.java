package io.spillway.onnx;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.task.InvalidInputException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Reading task inputs and writing results: the shared parts of the text tasks. */
final class TaskInput {
    static final ObjectMapper JSON = new ObjectMapper();

    private TaskInput() {
    }

    static JsonNode parse(String inputJson) {
        JsonNode input;
        try {
            input = JSON.readTree(inputJson);
        } catch (IOException e) {
            throw new InvalidInputException("the input is not JSON");
        }
        if (input == null || !input.isObject()) {
            throw new InvalidInputException("the input must be a JSON object");
        }
        return input;
    }

    /** A required, non-blank string field of at most {@code maxChars} characters. */
    static String text(JsonNode input, String field, int maxChars) {
        var node = input.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidInputException("'" + field + "' is required");
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidInputException("'" + field + "' must be a non-empty string");
        }
        var text = node.asText();
        if (text.length() > maxChars) {
            throw new InvalidInputException("'" + field + "' is " + text.length() + " characters; at most " + maxChars
                    + " (setting max_text_chars / max_document_chars)");
        }
        return text;
    }

    /** The optional {@code "model"} field. */
    static String model(JsonNode input) {
        var node = input.get("model");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidInputException("'model' must be a model name");
        }
        return node.asText();
    }

    static int intIn(JsonNode input, String field, int dflt, int min, int max) {
        var node = input.get(field);
        if (node == null || node.isNull()) {
            return dflt;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw new InvalidInputException("'" + field + "' must be a whole number from " + min + " to " + max);
        }
        return node.asInt();
    }

    /** Writes a JSON object. */
    static String write(JsonWriter body) {
        var w = new StringWriter(256);
        try (var g = JSON.getFactory().createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    static void usage(JsonGenerator g, String model, long computeMs, int tokens, double cost) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeStringField("model", model);
        g.writeNumberField("compute_ms", computeMs);
        g.writeNumberField("tokens", tokens);
        g.writeNumberField("cost", cost);
        g.writeEndObject();
    }

    @FunctionalInterface
    interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }
}
