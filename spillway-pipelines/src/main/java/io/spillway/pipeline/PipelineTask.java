package io.spillway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.json.Json;
import io.spillway.core.json.Usage;
import io.spillway.core.store.JobStore;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link PipelineSpec} as a task: steps in dependency order, independent ones in parallel
 * (on virtual threads; the steps' own handlers decide where the CPU work runs), each step's
 * result checkpointed in the store (the job's attachment {@code step/<name>}) as soon as it
 * completes, so a retry on any worker reads them and does not run those steps again; the
 * checkpoints are deleted when the job ends. The result is the pipeline's result
 * template filled in, with {@code steps: [{"step", "task", "status", "ms", "reused"}]} and the
 * summed {@code usage}.
 *
 * <p>A step that fails for good (bad input found late, an unreadable document) fails the job,
 * naming the step; a step that asks for a retry (or throws) makes the whole job retry, keeping
 * the steps that completed.
 */
public final class PipelineTask implements TaskHandler {
    private static final Logger log = LoggerFactory.getLogger(PipelineTask.class);
    private static final String CHECKPOINT = "step/";

    private final PipelineSpec spec;
    private final Map<String, TaskHandler> handlers;
    private final JobStore checkpoints;
    private final List<PipelineSpec.Step> order;

    /** @param checkpoints where step results are kept between attempts */
    public PipelineTask(PipelineSpec spec, Map<String, TaskHandler> handlers, JobStore checkpoints) {
        this.spec = spec;
        this.handlers = Map.copyOf(handlers);
        this.checkpoints = checkpoints;
        this.order = spec.topologicalOrder();
    }

    public PipelineSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return spec.name();
    }

    /** A pipeline takes documents when one of its first steps does. */
    @Override
    public boolean takesDocuments() {
        return spec.steps().values().stream()
                .anyMatch(step -> step.needs().isEmpty() && handlers.get(step.task()).takesDocuments());
    }

    @Override
    public void validate(JobInput input) {
        for (var step : spec.steps().values()) {
            if (step.needs().isEmpty()) {
                try {
                    handlers.get(step.task()).validate(inputOf(Templates.fill(step.input(), input.object(), Map.of())));
                } catch (InvalidInputException e) {
                    throw new InvalidInputException("step " + step.name() + " (task " + step.task() + "): " + e.getMessage());
                }
            }
        }
    }

    /** Its usage sums its steps' (each reported by the step's task). */
    @Override
    public boolean reportsUsage() {
        return true;
    }

    /**
     * The sum of its steps' estimates when every step reads the pipeline's input; empty when a step
     * reads another's result (unknown until it runs) or a step's task cannot tell.
     */
    @Override
    public OptionalDouble estimateCost(JobInput input, Priority priority) {
        double sum = 0;
        for (var step : spec.steps().values()) {
            if (!step.needs().isEmpty()) {
                return OptionalDouble.empty();
            }
            var e = handlers.get(step.task()).estimateCost(inputOf(Templates.fill(step.input(), input.object(), Map.of())), priority);
            if (e.isEmpty()) {
                return e;
            }
            sum += e.getAsDouble();
        }
        return OptionalDouble.of(sum);
    }

    /** A step's filled-in input, as the step's task reads it. */
    private static JobInput inputOf(JsonNode filled) {
        return filled instanceof ObjectNode o ? JobInput.of(o) : JobInput.ofJson(Json.write(filled));
    }

    private record StepRun(JsonNode result, long ms, boolean reused) {
    }

    /** A step's outcome other than success, carried out of the parallel run. */
    private static final class StepStopped extends RuntimeException {
        final PipelineSpec.Step step;
        final boolean retry;
        /** How long the step must wait when it was not run at all (its model is unavailable); else null. */
        final Duration postponeFor;

        StepStopped(PipelineSpec.Step step, String error, boolean retry) {
            super("step " + step.name() + " (task " + step.task() + ") failed: " + error, null, false, false);
            this.step = step;
            this.retry = retry;
            this.postponeFor = null;
        }

        StepStopped(PipelineSpec.Step step, String reason, Duration postponeFor) {
            super("step " + step.name() + " (task " + step.task() + ") waits: " + reason, null, false, false);
            this.step = step;
            this.retry = true;
            this.postponeFor = postponeFor;
        }
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws Exception {
        return TaskHandler.eachJob(batch, this::runJob);
    }

    private Outcome runJob(Job job) throws IOException {
        JsonNode input = job.input().object();
        var runs = new ConcurrentHashMap<String, StepRun>(load(job));
        var futures = new HashMap<String, CompletableFuture<Void>>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (var step : order) {
                var needs = step.needs().stream().map(futures::get).toArray(CompletableFuture[]::new);
                futures.put(step.name(), CompletableFuture.allOf(needs).thenRunAsync(() -> {
                    if (!runs.containsKey(step.name())) {
                        runs.put(step.name(), runStep(job, step, input, runs));
                    }
                }, threads));
            }
            CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        }
        StepStopped failed = null;
        StepStopped retry = null;
        for (var step : order) {
            var f = futures.get(step.name());
            if (f.isCompletedExceptionally()) {
                var cause = cause(f);
                if (cause instanceof StepStopped s && s.step == step) {
                    if (s.retry) {
                        // a step that was tried and failed outweighs one that could not run
                        retry = retry == null || (retry.postponeFor != null && s.postponeFor == null) ? s : retry;
                    } else {
                        failed = failed == null ? s : failed;
                    }
                } else if (!(cause instanceof StepStopped)) {
                    retry = retry == null ? new StepStopped(step, String.valueOf(cause), true) : retry;
                }
            }
        }
        if (failed != null) {
            deleteCheckpoints(job);
            return Outcome.failed(failed.getMessage());
        }
        if (retry != null) {
            // a pipeline whose only stop is a step that could not run waits without spending an attempt
            return retry.postponeFor != null ? Outcome.postponed(retry.postponeFor, retry.getMessage())
                    : Outcome.retry(retry.getMessage());
        }
        var result = result(input, runs);
        deleteCheckpoints(job);
        return Outcome.completed(Json.write(result));
    }

    private static Throwable cause(CompletableFuture<Void> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }

    private StepRun runStep(Job job, PipelineSpec.Step step, JsonNode input, Map<String, StepRun> runs) {
        var results = new HashMap<String, JsonNode>();
        runs.forEach((k, v) -> results.put(k, v.result()));
        var stepJob = job.part(step.name(), step.task(), inputOf(Templates.fill(step.input(), input, results)));
        long started = System.nanoTime();
        Outcome outcome;
        try {
            outcome = handlers.get(step.task()).run(List.of(stepJob)).getFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepStopped(step, "interrupted", true);
        } catch (Exception e) {
            throw new StepStopped(step, e.getMessage() == null ? e.toString() : e.getMessage(), true);
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        return switch (outcome) {
            case Outcome.Completed c -> {
                var run = new StepRun(Json.read(c.resultJson()), ms, false);
                save(job, step.name(), run);
                yield run;
            }
            case Outcome.Failed f -> throw new StepStopped(step, f.error(), false);
            case Outcome.Cancelled c -> throw new StepStopped(step, "cancelled: " + c.reason(), false);
            case Outcome.Retry r -> throw new StepStopped(step, r.error(), true);
            case Outcome.Postponed p -> throw new StepStopped(step, p.reason(), p.delay());
        };
    }

    private JsonNode result(JsonNode input, Map<String, StepRun> runs) {
        var results = new HashMap<String, JsonNode>();
        runs.forEach((k, v) -> results.put(k, v.result()));
        var filled = Templates.fill(spec.result(), input, results);
        ObjectNode result = filled.isObject() ? (ObjectNode) filled : JsonNodeFactory.instance.objectNode().set("result", filled);
        var steps = result.putArray("steps");
        var usages = new LinkedHashMap<String, Usage>();
        for (var step : spec.steps().values()) {
            var run = runs.get(step.name());
            steps.addObject().put("step", step.name()).put("task", step.task()).put("status", "completed")
                    .put("ms", run.ms()).put("reused", run.reused());
            // a step's own account only: a step whose result is what the client sent (echo) says nothing of its usage
            var usage = handlers.get(step.task()).reportsUsage() ? Usage.read(run.result().get("usage")) : null;
            if (usage != null) {
                usages.put(step.name(), usage);
            }
        }
        result.set("usage", Usage.ofSteps("pipeline:" + spec.name(), usages).toNode());
        return result;
    }

    private Map<String, StepRun> load(Job job) throws IOException {
        var out = new HashMap<String, StepRun>();
        for (var step : order) {
            var checkpoint = checkpoints.attachmentGet(job.id(), CHECKPOINT + step.name());
            if (checkpoint.isPresent()) {
                try (var in = checkpoints.attachmentRead(checkpoint.get())) {
                    var node = Json.MAPPER.readTree(in);
                    out.put(step.name(), new StepRun(node.get("result"), node.path("ms").asLong(), true));
                }
            }
        }
        return out;
    }

    private void save(Job job, String step, StepRun run) {
        try {
            var node = JsonNodeFactory.instance.objectNode().put("ms", run.ms()).set("result", run.result());
            checkpoints.attachmentWrite(job.id(), CHECKPOINT + step, null,
                    new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(node)), checkpoints.clock().instant());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot checkpoint step " + step + ": " + e.getMessage(), e);
        }
    }

    private void deleteCheckpoints(Job job) {
        for (var step : order) {
            checkpoints.attachmentDelete(job.id(), CHECKPOINT + step.name());
        }
    }

}
