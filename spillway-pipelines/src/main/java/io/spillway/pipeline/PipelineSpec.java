package io.spillway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pipeline as configured: a task made of other tasks, as a small DAG. Each step runs a task on
 * an input built from the job's input and the results of the steps it {@code needs}; steps whose
 * needs are met run in parallel; the job's result is built from the steps' results.
 *
 * <p>Inputs and the result are JSON templates: a string {@code "$input"} or {@code "$input.a.b"}
 * stands for (part of) the job's input, {@code "$step"} or {@code "$step.a.b"} for (part of) a
 * step's result; {@code "$$..."} is a literal string starting with {@code $}.
 *
 * @param name   the task name jobs submit
 * @param steps  by name, in definition order
 * @param result the result template
 */
public record PipelineSpec(String name, Map<String, Step> steps, JsonNode result) {

    /** One step: a task, the steps it needs, and its input template ({@code "$input"} when absent). */
    public record Step(String name, String task, List<String> needs, JsonNode input) {
        public Step {
            needs = List.copyOf(needs);
        }
    }

    public PipelineSpec {
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }

    /** Every {@code $name} a template refers to (the first path segment), except {@code input}. */
    static Set<String> references(JsonNode template) {
        var out = new LinkedHashSet<String>();
        collect(template, out);
        return out;
    }

    private static void collect(JsonNode node, Set<String> out) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            var s = node.asText();
            if (s.startsWith("$") && !s.startsWith("$$")) {
                var head = s.substring(1).split("\\.", 2)[0];
                if (!head.equals("input")) {
                    out.add(head);
                }
            }
        } else if (node.isContainerNode()) {
            node.forEach(child -> collect(child, out));
        }
    }

    /** Steps in an order where every step comes after those it needs; throws on a cycle. */
    List<Step> topologicalOrder() {
        var order = new ArrayList<Step>();
        var state = new LinkedHashMap<String, Integer>(); // 1 visiting, 2 done
        for (var s : steps.values()) {
            visit(s, state, order, new ArrayList<>());
        }
        return order;
    }

    private void visit(Step s, Map<String, Integer> state, List<Step> order, List<String> path) {
        var st = state.get(s.name());
        if (st != null && st == 2) {
            return;
        }
        path.add(s.name());
        if (st != null) {
            throw new IllegalArgumentException("steps form a cycle: " + String.join(" -> ", path));
        }
        state.put(s.name(), 1);
        for (var n : s.needs()) {
            visit(steps.get(n), state, order, path);
        }
        state.put(s.name(), 2);
        order.add(s);
        path.removeLast();
    }
}
