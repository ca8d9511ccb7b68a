package io.spillway.onnx;

import io.spillway.core.task.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process models of a server: the built-in embedding model and those of the model
 * repository. A model is loaded when first used ({@link #loadRepository} loads the repository's
 * at start, so a bad model stops the server with a clear message instead of failing jobs), and
 * then runs behind its own {@link ModelRunner}.
 */
public final class Models implements AutoCloseable {
    private final Map<String, ModelSpec> specs = new LinkedHashMap<>();
    private final Map<String, ModelRunner> runners = new ConcurrentHashMap<>();
    private final BatchObserver observer;
    /** The most a job has cost lately on any priced model, decaying (an estimate for budgets); 0 until one ran. */
    private volatile double recentJobCost;

    private Models(List<ModelSpec> all, BatchObserver observer) {
        all.forEach(s -> specs.put(s.name(), s));
        this.observer = observer;
    }

    /** The built-in model and the given repository models. */
    public static Models of(List<ModelSpec> repository, BatchObserver observer) {
        var all = new ArrayList<ModelSpec>();
        all.add(ModelSpec.builtIn());
        all.addAll(repository);
        return new Models(all, observer);
    }

    /** Only the built-in model. */
    public static Models builtIn() {
        return of(List.of(), BatchObserver.NONE);
    }

    /** Replaces a spec before its model is loaded (tests and benchmarks tune the built-in one this way). */
    public Models with(ModelSpec spec) {
        specs.put(spec.name(), spec);
        return this;
    }

    public List<ModelSpec> specs() {
        return List.copyOf(specs.values());
    }

    public Optional<ModelSpec> spec(String name) {
        return Optional.ofNullable(specs.get(name));
    }

    /** Loads every repository model now; the first that fails stops it with its reason. */
    public void loadRepository() {
        specs.values().stream().filter(s -> !s.isBuiltIn()).forEach(s -> runner(s.name()));
    }

    /** The cost of {@code computeMs} of a model's compute ({@code name} may carry a "/method" suffix). */
    public double cost(String name, long computeMs) {
        int slash = name.indexOf('/');
        var spec = specs.get(slash < 0 ? name : name.substring(0, slash));
        double cost = spec == null ? 0 : spec.cost(computeMs);
        if (cost > 0) {
            // a job dearer than the estimate lifts it at once; cheaper ones lower it slowly
            recentJobCost = Math.max(cost, recentJobCost * 0.99 + cost * 0.01);
        }
        return cost;
    }

    /**
     * What a job is expected to cost at most, for a tenant's budget: nothing when no model is
     * priced; else the dearest cost a job has had lately (a job is a text or a small batch of them
     * on one model, so recent jobs tell the next), or empty before one was priced.
     */
    public OptionalDouble estimateJobCost() {
        if (specs.values().stream().allMatch(s -> s.pricePerComputeSecond() == 0)) {
            return OptionalDouble.of(0);
        }
        double recent = recentJobCost;
        return recent > 0 ? OptionalDouble.of(recent) : OptionalDouble.empty();
    }

    /** Whether a model is loaded (for /readyz). */
    public boolean isLoaded(String name) {
        return runners.containsKey(name);
    }

    /** The runner of a model, loading it on first use. */
    public ModelRunner runner(String name) {
        var spec = specs.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("no model named " + name);
        }
        return runners.computeIfAbsent(name, n -> new ModelRunner(OnnxModel.load(spec), observer));
    }

    /**
     * The model a job asked for, checked against what its task needs.
     *
     * @param requested the job's {@code "model"}, or null for the task's default
     * @throws InvalidInputException naming the models that would do
     */
    public ModelSpec resolve(String requested, String dflt, ModelKind kind, String task) {
        String name = requested == null || requested.equals("auto") ? dflt : requested;
        var spec = specs.get(name);
        var fitting = specs.values().stream().filter(s -> s.kind() == kind).map(ModelSpec::name).toList();
        if (spec == null) {
            throw new InvalidInputException("no model named '" + name + "'; " + task + " can use: " + String.join(", ", fitting));
        }
        if (spec.kind() != kind) {
            throw new InvalidInputException("model '" + name + "' is a " + spec.kind().wireName() + " model; " + task
                    + " needs " + (kind == ModelKind.EMBEDDING ? "an " : "a ") + kind.wireName() + " model: " + String.join(", ", fitting));
        }
        return spec;
    }

    @Override
    public void close() {
        runners.values().forEach(ModelRunner::close);
        runners.clear();
    }
}
