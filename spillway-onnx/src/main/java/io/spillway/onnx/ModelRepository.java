package io.spillway.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Reads a model repository, laid out as Triton's: one directory per model, named as jobs name
 * the model, holding {@code model.onnx}, {@code tokenizer.json} (HuggingFace tokenizers format)
 * and {@code model.yaml}:
 *
 * <pre>
 * kind: text-classification    # or embedding
 * labels: [negative, positive] # text-classification: one per model output, in order
 * max_batch: 8                 # optional: texts per model call (default 8)
 * concurrency: 1               # optional: model calls at once (default 1)
 * threads: 1                   # optional: ONNX Runtime intra-op threads per call (default 1)
 * device: cpu                  # optional: cpu or cuda (default cpu)
 * max_tokens: 256              # optional: longer texts are truncated (default 256)
 * batch_wait_ms: 0             # optional: wait this long for a batch to fill (default 0)
 * price_per_compute_second: 0  # optional: the cost of a second of compute, for usage.cost (default 0)
 * </pre>
 *
 * Every problem found is reported at once, naming the file; nothing is loaded here (see {@link Models}).
 */
public final class ModelRepository {
    private static final Set<String> KEYS = Set.of("kind", "labels", "max_batch", "concurrency", "threads", "device",
            "max_tokens", "batch_wait_ms", "description", "price_per_compute_second");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final long MAX_YAML_BYTES = 64 * 1024;

    private ModelRepository() {
    }

    /**
     * The models under {@code dir}; none when it does not exist.
     *
     * @throws ModelRepositoryException listing every invalid model
     */
    public static List<ModelSpec> scan(Path dir) {
        return scan(dir, model -> false);
    }

    /**
     * As {@link #scan(Path)}, leaving out the directories another module reads (remote models,
     * whose model.yaml says {@code kind: llm}).
     */
    public static List<ModelSpec> scan(Path dir, Predicate<Path> readElsewhere) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        var specs = new ArrayList<ModelSpec>();
        var problems = new ArrayList<String>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path model : entries.filter(Files::isDirectory).filter(readElsewhere.negate()).sorted().toList()) {
                try {
                    specs.add(read(model));
                } catch (ModelRepositoryException e) {
                    problems.add(e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new ModelRepositoryException("cannot list the model repository " + dir + ": " + e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new ModelRepositoryException("the model repository " + dir + " has invalid models:\n  - "
                    + String.join("\n  - ", problems));
        }
        return specs;
    }

    /** One model directory. */
    public static ModelSpec read(Path model) {
        String name = model.getFileName().toString();
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new ModelRepositoryException(model + ": a model's directory name is its name in jobs and must be "
                    + "1-64 characters of a-z, 0-9, '.', '_' or '-'");
        }
        if (name.equals(ModelSpec.BUILT_IN) || name.equals("auto")) {
            throw new ModelRepositoryException(model + ": the name " + name + " is reserved");
        }
        for (String file : List.of("model.yaml", "model.onnx", "tokenizer.json")) {
            if (!Files.isRegularFile(model.resolve(file))) {
                throw new ModelRepositoryException(model + ": " + file + " is missing (a model needs model.yaml, "
                        + "model.onnx and tokenizer.json)");
            }
        }
        Path yamlFile = model.resolve("model.yaml");
        JsonNode yaml;
        try {
            if (Files.size(yamlFile) > MAX_YAML_BYTES) {
                throw new ModelRepositoryException(yamlFile + ": larger than 64 KiB");
            }
            yaml = YAML.readTree(yamlFile.toFile());
        } catch (IOException e) {
            throw new ModelRepositoryException(yamlFile + ": not valid YAML: " + firstLine(e.getMessage()), e);
        }
        if (yaml == null || !yaml.isObject()) {
            throw new ModelRepositoryException(yamlFile + ": must be a mapping with at least 'kind'");
        }
        var problems = new ArrayList<String>();
        yaml.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                problems.add("unknown key '" + k + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        });
        ModelKind kind = null;
        if (!yaml.hasNonNull("kind")) {
            problems.add("'kind' is missing (embedding or text-classification)");
        } else {
            try {
                kind = ModelKind.parse(yaml.get("kind").asText());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        var labels = new ArrayList<String>();
        var labelNode = yaml.get("labels");
        if (labelNode != null && (!labelNode.isArray() || labelNode.isEmpty())) {
            problems.add("'labels' must be a non-empty list");
        } else if (labelNode != null) {
            labelNode.forEach(l -> labels.add(l.asText()));
            if (labels.stream().distinct().count() != labels.size() || labels.stream().anyMatch(String::isBlank)) {
                problems.add("'labels' must be distinct, non-empty names");
            }
        }
        if (kind == ModelKind.TEXT_CLASSIFICATION && labelNode == null) {
            problems.add("a text-classification model needs 'labels', one per model output");
        }
        if (kind == ModelKind.EMBEDDING && labelNode != null) {
            problems.add("an embedding model has no 'labels'");
        }
        int maxBatch = intIn(yaml, "max_batch", 8, 1, 4096, problems);
        int concurrency = intIn(yaml, "concurrency", 1, 1, 64, problems);
        int threads = intIn(yaml, "threads", 1, 1, 256, problems);
        int maxTokens = intIn(yaml, "max_tokens", 256, 2, 8192, problems);
        int waitMs = intIn(yaml, "batch_wait_ms", 0, 0, 10_000, problems);
        Device device = Device.CPU;
        if (yaml.hasNonNull("device")) {
            try {
                device = Device.parse(yaml.get("device").asText());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        double price = 0;
        var priceNode = yaml.get("price_per_compute_second");
        if (priceNode != null && !priceNode.isNull()) {
            if (!priceNode.isNumber() || priceNode.asDouble() < 0) {
                problems.add("'price_per_compute_second' must be a number not below 0");
            } else {
                price = priceNode.asDouble();
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelRepositoryException(yamlFile + ": " + String.join("; ", problems));
        }
        return new ModelSpec(name, kind, model, labels, maxBatch, concurrency, threads, device, maxTokens,
                Duration.ofMillis(waitMs), price);
    }

    private static int intIn(JsonNode yaml, String key, int dflt, int min, int max, List<String> problems) {
        var n = yaml.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
            problems.add("'" + key + "' must be a whole number from " + min + " to " + max + ", not '" + n.asText() + "'");
            return dflt;
        }
        return n.asInt();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
