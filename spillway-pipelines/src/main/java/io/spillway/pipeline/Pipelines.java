package io.spillway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads pipeline definitions: the built-in ones ({@code default-pipelines.yaml}), then the user's
 * {@code pipelines_file} when it exists, which may add pipelines or replace built-in ones by name:
 *
 * <pre>
 * pipelines:
 *   &lt;name&gt;:
 *     description: optional words
 *     steps:
 *       &lt;step&gt;: {task: &lt;task&gt;, needs: [&lt;step&gt;, ...], input: &lt;template&gt;}
 *     result: &lt;template&gt;
 * </pre>
 *
 * Validated against the tasks of the server: unknown tasks or steps, cycles, references to steps
 * a step does not need, and names that clash with a task stop the start with a clear message.
 */
public final class Pipelines {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> PIPELINE_KEYS = Set.of("description", "steps", "result");
    private static final Set<String> STEP_KEYS = Set.of("task", "needs", "input");

    private Pipelines() {
    }

    /**
     * The pipelines to serve.
     *
     * @param userFile the user's file; ignored when it does not exist
     * @param tasks    the plain tasks steps may run
     * @throws PipelineException naming the file, the pipeline and the problem
     */
    public static List<PipelineSpec> load(Path userFile, Set<String> tasks) {
        var all = new LinkedHashMap<String, PipelineSpec>();
        try (InputStream in = Objects.requireNonNull(Pipelines.class.getResourceAsStream("default-pipelines.yaml"))) {
            parse(YAML.readTree(in), "the built-in pipelines", tasks).forEach(p -> all.put(p.name(), p));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (userFile != null && Files.isRegularFile(userFile)) {
            try {
                if (Files.size(userFile) > 1 << 20) {
                    throw new PipelineException("pipelines file " + userFile + " is larger than 1 MiB");
                }
                parse(YAML.readTree(userFile.toFile()), userFile.toString(), tasks).forEach(p -> all.put(p.name(), p));
            } catch (IOException e) {
                throw new PipelineException("pipelines file " + userFile + " is not valid YAML: " + firstLine(e.getMessage()));
            }
        }
        return List.copyOf(all.values());
    }

    static List<PipelineSpec> parse(JsonNode root, String source, Set<String> tasks) {
        if (root == null || !root.isObject() || !root.has("pipelines") || !root.get("pipelines").isObject()) {
            throw new PipelineException(source + ": expected a mapping 'pipelines:' of name: definition");
        }
        var out = new ArrayList<PipelineSpec>();
        for (var e : root.get("pipelines").properties()) {
            String where = source + ", pipeline " + e.getKey();
            out.add(pipeline(e.getKey(), e.getValue(), where, tasks));
        }
        return out;
    }

    private static PipelineSpec pipeline(String name, JsonNode def, String where, Set<String> tasks) {
        if (!name.matches("[a-z][a-z0-9_-]{0,63}")) {
            throw new PipelineException(where + ": a pipeline name is a task name: lower-case letters, digits, '_' or '-'");
        }
        if (tasks.contains(name)) {
            throw new PipelineException(where + ": the name is already a task");
        }
        if (def == null || !def.isObject()) {
            throw new PipelineException(where + ": must be a mapping with 'steps' and 'result'");
        }
        unknownKeys(def, PIPELINE_KEYS, where);
        var stepsNode = def.get("steps");
        if (stepsNode == null || !stepsNode.isObject() || stepsNode.isEmpty()) {
            throw new PipelineException(where + ": 'steps' must map step names to {task, needs, input}");
        }
        var steps = new LinkedHashMap<String, PipelineSpec.Step>();
        for (var s : stepsNode.properties()) {
            String stepWhere = where + ", step " + s.getKey();
            if (s.getKey().equals("input") || !s.getKey().matches("[a-z][a-z0-9_]{0,63}")) {
                throw new PipelineException(stepWhere + ": a step name is lower-case letters, digits or '_' (and not 'input')");
            }
            var sd = s.getValue();
            if (sd == null || !sd.isObject() || !sd.hasNonNull("task")) {
                throw new PipelineException(stepWhere + ": needs 'task'");
            }
            unknownKeys(sd, STEP_KEYS, stepWhere);
            var task = sd.get("task").asText();
            if (!tasks.contains(task)) {
                throw new PipelineException(stepWhere + ": unknown task '" + task + "'; tasks: " + String.join(", ", tasks));
            }
            var needs = new ArrayList<String>();
            if (sd.has("needs")) {
                if (!sd.get("needs").isArray()) {
                    throw new PipelineException(stepWhere + ": 'needs' must be a list of step names");
                }
                sd.get("needs").forEach(n -> needs.add(n.asText()));
            }
            steps.put(s.getKey(), new PipelineSpec.Step(s.getKey(), task, needs, sd.get("input")));
        }
        for (var step : steps.values()) {
            String stepWhere = where + ", step " + step.name();
            for (var n : step.needs()) {
                if (!steps.containsKey(n)) {
                    throw new PipelineException(stepWhere + ": needs unknown step '" + n + "'");
                }
            }
            for (var ref : PipelineSpec.references(step.input())) {
                if (!step.needs().contains(ref)) {
                    throw new PipelineException(stepWhere + ": its input uses $" + ref + " but the step does not need "
                            + "it (add it to 'needs')");
                }
            }
        }
        var result = def.get("result");
        if (result == null || !result.isObject()) {
            throw new PipelineException(where + ": 'result' must be a mapping (a template of the job's result)");
        }
        for (var ref : PipelineSpec.references(result)) {
            if (!steps.containsKey(ref)) {
                throw new PipelineException(where + ": 'result' uses $" + ref + ", which is not a step");
            }
        }
        var spec = new PipelineSpec(name, steps, result);
        try {
            spec.topologicalOrder();
        } catch (IllegalArgumentException e) {
            throw new PipelineException(where + ": " + e.getMessage());
        }
        return spec;
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String where) {
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                throw new PipelineException(where + ": unknown key '" + k + "' (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        });
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The tasks for the pipelines, each over the handlers of the plain tasks. */
    public static Map<String, PipelineSpec> byName(List<PipelineSpec> specs) {
        var out = new LinkedHashMap<String, PipelineSpec>();
        specs.forEach(s -> out.put(s.name(), s));
        return out;
    }
}
