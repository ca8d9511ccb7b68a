package io.spillway.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.json.Json;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import io.spillway.llm.GenerateTask;
import io.spillway.onnx.SummarizeTask;
import java.util.List;
import java.util.OptionalDouble;

/**
 * {@code summarize}, extractive by default ({@link SummarizeTask}), abstractive when
 * {@code "model"} names a remote text model: the text goes to {@link GenerateTask} with an
 * instruction to summarise it in at most {@code max_sentences} sentences, and the answer comes
 * back as {@code {"summary", "model", "route", "usage"}}. Runs on virtual threads: the
 * extractive path's compute happens on the model runner's threads, the abstractive one waits on
 * the provider, so neither needs a CPU worker.
 */
public final class SummarizeRouter implements TaskHandler {
    static final String SYSTEM = "You summarize texts faithfully and concisely, in the text's language, "
            + "without adding facts.";

    private final SummarizeTask extractive;
    private final GenerateTask abstractive;

    /** @param abstractive null when no remote text model is configured */
    public SummarizeRouter(SummarizeTask extractive, GenerateTask abstractive) {
        this.extractive = extractive;
        this.abstractive = abstractive;
    }

    @Override
    public String name() {
        return SummarizeTask.NAME;
    }

    @Override
    public boolean usesModels() {
        return true;
    }

    /**
     * Only with a text model configured: then a job may wait seconds on a remote call. Without one
     * every summary is computed here on the built-in model, so the task takes a lane of CPU
     * workers and claims only what they can start, instead of holding hundreds of jobs claimed
     * in front of other tasks' texts on the shared model.
     */
    @Override
    public boolean waitsOnIo() {
        return abstractive != null;
    }

    @Override
    public void validate(JobInput input) {
        var generate = generateInput(input);
        if (generate == null) {
            extractive.validate(input);
        } else {
            abstractive.validate(generate);
        }
    }

    @Override
    public boolean reportsUsage() {
        return true;
    }

    @Override
    public OptionalDouble estimateCost(JobInput input, Priority priority) {
        var generate = generateInput(input);
        return generate == null ? extractive.estimateCost(input, priority) : abstractive.estimateCost(generate, priority);
    }

    /** The generate input for an abstractive summary, or null when the job is extractive. */
    private JobInput generateInput(JobInput input) {
        if (abstractive == null) {
            return null;
        }
        var model = input.field("model");
        if (model == null || !abstractive.models().contains(model.asText(""))) {
            return null;
        }
        var text = input.field("text");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw new InvalidInputException("'text' must be a non-empty string");
        }
        int max = input.intIn("max_sentences", 3, 1, 50);
        var g = Json.MAPPER.createObjectNode();
        g.put("prompt", "Summarize the following text in at most " + max + " sentences.\n\n" + text.asText());
        g.put("system", SYSTEM);
        g.put("model", model.asText());
        g.put("temperature", 0.2);
        return JobInput.of(g);
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws Exception {
        return TaskHandler.eachJob(batch, job -> {
            var generate = generateInput(job.input());
            if (generate == null) {
                return extractive.run(List.of(job)).getFirst();
            }
            var outcome = abstractive.run(List.of(job.part(null, GenerateTask.NAME, generate))).getFirst();
            if (outcome instanceof Outcome.Completed c) {
                var result = (ObjectNode) Json.read(c.resultJson());
                var summary = result.remove("text");
                ObjectNode renamed = Json.MAPPER.createObjectNode();
                renamed.set("summary", summary);
                renamed.setAll(result);
                outcome = Outcome.completed(renamed.toString());
            }
            return outcome;
        });
    }
}
