package io.spillway.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The one JSON mapper every module uses (thread-safe once configured), and the small things
 * done with it everywhere: write a value, write an object field by field. It reads strictly, as
 * untrusted requests need: a duplicate key, trailing data or nesting deeper than 256 is an error.
 */
public final class Json {
    /** Shared; never reconfigure it. */
    public static final ObjectMapper MAPPER = strict();

    private Json() {
    }

    private static ObjectMapper strict() {
        var m = new ObjectMapper();
        m.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build());
        m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        return m;
    }

    /** Writes fields of one JSON object. */
    @FunctionalInterface
    public interface ObjectWriter {
        void write(JsonGenerator g) throws IOException;
    }

    /** A value as JSON text. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON object written field by field (faster than building a tree for large results). */
    public static String object(ObjectWriter fields) {
        var w = new StringWriter(256);
        try (var g = MAPPER.getFactory().createGenerator(w)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * JSON text the process wrote itself (a result, a checkpoint), parsed.
     *
     * @throws UncheckedIOException when it is not JSON, which is a bug
     */
    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
