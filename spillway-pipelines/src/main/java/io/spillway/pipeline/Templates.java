package io.spillway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;

/** Fills a pipeline template from the job's input and the steps' results (see {@link PipelineSpec}). */
final class Templates {
    private Templates() {
    }

    static JsonNode fill(JsonNode template, JsonNode input, Map<String, JsonNode> results) {
        if (template == null) {
            return input;
        }
        if (template.isTextual()) {
            var s = template.asText();
            if (s.startsWith("$$")) {
                return TextNode.valueOf(s.substring(1));
            }
            if (!s.startsWith("$")) {
                return template;
            }
            var parts = s.substring(1).split("\\.");
            JsonNode node = parts[0].equals("input") ? input : results.get(parts[0]);
            for (int i = 1; i < parts.length && node != null; i++) {
                node = node.get(parts[i]);
            }
            return node == null ? NullNode.getInstance() : node;
        }
        if (template.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            template.properties().forEach(e -> out.set(e.getKey(), fill(e.getValue(), input, results)));
            return out;
        }
        if (template.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            template.forEach(e -> out.add(fill(e, input, results)));
            return out;
        }
        return template;
    }
}
