package io.spillway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import io.spillway.llm.GenerateTask;
import io.spillway.onnx.SummarizeTask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

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
    private static final ObjectMapper JSON = new ObjectMapper();

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

    @Override
    public boolean waitsOnIo() {
        return true;
    }

    @Override
    public void validate(String inputJson) {
        var generate = generateInput(inputJson);
        if (generate == null) {
            extractive.validate(inputJson);
        } else {
            abstractive.validate(generate);
        }
    }

    /** The generate input for an abstractive summary, or null when the job is extractive. */
    private String generateInput(String inputJson) {
        if (abstractive == null) {
            return null;
        }
        JsonNode in;
        try {
            in = JSON.readTree(inputJson);
        } catch (IOException e) {
            return null; // the extractive task says what is wrong
        }
        if (in == null || !in.isObject() || !abstractive.models().contains(in.path("model").asText(""))) {
            return null;
        }
        var text = in.get("text");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw new InvalidInputException("'text' must be a non-empty string");
        }
        int max = in.path("max_sentences").asInt(3);
        if (max < 1 || max > 50) {
            throw new InvalidInputException("'max_sentences' must be a whole number from 1 to 50");
        }
        ObjectNode g = JSON.createObjectNode();
        g.put("prompt", "Summarize the following text in at most " + max + " sentences.\n\n" + text.asText());
        g.put("system", SYSTEM);
        g.put("model", in.get("model").asText());
        g.put("temperature", 0.2);
        return g.toString();
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws Exception {
        var out = new ArrayList<Outcome>(batch.size());
        for (var job : batch) {
            String generate;
            try {
                generate = generateInput(job.input());
            } catch (InvalidInputException e) {
                out.add(Outcome.failed(e.getMessage()));
                continue;
            }
            if (generate == null) {
                out.addAll(extractive.run(List.of(job)));
                continue;
            }
            var llmJob = new Job(job.id(), job.tenant(), GenerateTask.NAME, job.state(), job.priority(), generate,
                    job.metadata(), job.attempt(), job.maxAttempts(), job.createdAt(), job.runAt(), job.deadline(),
                    job.leaseUntil(), job.startedAt(), null, null, null, null, null, job.traceparent());
            var outcome = abstractive.run(List.of(llmJob)).getFirst();
            if (outcome instanceof Outcome.Completed c) {
                var result = (ObjectNode) JSON.readTree(c.resultJson());
                var summary = result.remove("text");
                ObjectNode renamed = JSON.createObjectNode();
                renamed.set("summary", summary);
                renamed.setAll(result);
                outcome = Outcome.completed(renamed.toString());
            }
            out.add(outcome);
        }
        return out;
    }
}
