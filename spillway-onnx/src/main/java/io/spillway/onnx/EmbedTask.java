package io.spillway.onnx;

import io.spillway.core.json.JobInput;
import io.spillway.core.json.Json;
import io.spillway.core.json.Usage;
import io.spillway.core.task.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code embed}: {@code {"texts": [...], "model"?}} → {@code {"embeddings": [[...]], "dim", "model",
 * "usage": {"model", "compute_ms", "tokens"}}}, one unit vector per text; the built-in
 * all-MiniLM-L6-v2 unless {@code model} names an embedding model of the repository.
 * Every job of a batch is queued on the model runner before any is awaited.
 */
public final class EmbedTask extends ModelTask<EmbedTask.Request, ModelRunner.Pending> {
    public static final String NAME = "embed";
    static final int MAX_TEXTS = 256;


    public EmbedTask(Models models, TextLimits limits) {
        super(models, limits);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return 32;
    }

    record Request(ModelSpec model, List<String> texts) {
    }

    @Override
    Request parse(JobInput input) {
        var model = models.resolve(input.model(), ModelSpec.BUILT_IN, ModelKind.EMBEDDING, NAME);
        var texts = input.field("texts");
        if (texts == null || !texts.isArray() || texts.isEmpty()) {
            throw new InvalidInputException("'texts' must be a non-empty array of strings");
        }
        if (texts.size() > MAX_TEXTS) {
            throw new InvalidInputException("'texts' holds " + texts.size() + " texts; at most " + MAX_TEXTS + " per job");
        }
        var out = new ArrayList<String>(texts.size());
        for (var t : texts) {
            if (!t.isTextual() || t.asText().isBlank()) {
                throw new InvalidInputException("every entry of 'texts' must be a non-empty string");
            }
            if (t.asText().length() > limits.maxTextChars()) {
                throw new InvalidInputException("a text is " + t.asText().length() + " characters; at most "
                        + limits.maxTextChars() + " (setting max_text_chars)");
            }
            out.add(t.asText());
        }
        return new Request(model, out);
    }

    @Override
    ModelRunner.Pending start(Request request) {
        return models.runner(request.model().name()).submitAll(request.texts());
    }

    @Override
    String finish(Request request, ModelRunner.Pending texts) throws InterruptedException {
        return result(texts.await(), texts.model());
    }

    private String result(ModelRunner.Result result, String model) {
        return Json.object(g -> {
            g.writeArrayFieldStart("embeddings");
            for (var v : result.rows()) {
                g.writeStartArray();
                for (float x : v) {
                    g.writeNumber(x);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeNumberField("dim", result.rows()[0].length);
            g.writeStringField("model", model);
            Usage.compute(model, result.computeMillis(), result.tokens(), models.cost(model, result.computeMillis())).writeField(g);
        });
    }
}
