package io.spillway.onnx;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code embed}: {@code {"texts": [...]}} → {@code {"embeddings": [[...]], "dim", "model", "usage":
 * {"model", "compute_ms", "tokens"}}}, one unit vector per text, with the built-in
 * all-MiniLM-L6-v2. The model is loaded on the first job, not at start, so a server that never
 * embeds never pays for it. Thread-safe.
 */
public final class EmbedTask implements TaskHandler {
    public static final String NAME = "embed";
    static final int MAX_TEXTS = 256;
    static final int MAX_CHARS = 20_000;

    private final ObjectMapper mapper = new ObjectMapper();
    private final JsonFactory json = mapper.getFactory();
    private final Supplier<OnnxEmbedder> model;
    private volatile OnnxEmbedder loaded;

    /** With the built-in model, loaded on first use with one intra-op thread per call. */
    public EmbedTask() {
        this(() -> OnnxEmbedder.builtIn(1));
    }

    EmbedTask(Supplier<OnnxEmbedder> model) {
        this.model = model;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return 16;
    }

    @Override
    public void validate(String inputJson) {
        texts(inputJson);
    }

    @Override
    public List<Outcome> run(List<Job> batch) {
        var embedder = embedder();
        var out = new ArrayList<Outcome>(batch.size());
        for (Job job : batch) {
            List<String> texts;
            try {
                texts = texts(job.input());
            } catch (InvalidInputException e) {
                out.add(Outcome.failed(e.getMessage()));
                continue;
            }
            long started = System.nanoTime();
            var embeddings = embedder.embedCounting(texts);
            long computeMs = (System.nanoTime() - started) / 1_000_000;
            out.add(Outcome.completed(result(embeddings.vectors(), embedder, computeMs, embeddings.tokens())));
        }
        return out;
    }

    private OnnxEmbedder embedder() {
        var e = loaded;
        if (e == null) {
            synchronized (this) {
                if (loaded == null) {
                    loaded = model.get();
                }
                e = loaded;
            }
        }
        return e;
    }

    private List<String> texts(String inputJson) {
        JsonNode input;
        try {
            input = mapper.readTree(inputJson);
        } catch (IOException e) {
            throw new InvalidInputException("the input is not JSON");
        }
        var texts = input.get("texts");
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
            if (t.asText().length() > MAX_CHARS) {
                throw new InvalidInputException("a text is " + t.asText().length() + " characters; at most " + MAX_CHARS);
            }
            out.add(t.asText());
        }
        return out;
    }

    private String result(float[][] vectors, OnnxEmbedder embedder, long computeMs, int tokens) {
        var w = new StringWriter(vectors.length * embedder.dimensions() * 12);
        try (var g = json.createGenerator(w)) {
            g.writeStartObject();
            g.writeArrayFieldStart("embeddings");
            for (var v : vectors) {
                g.writeStartArray();
                for (float x : v) {
                    g.writeNumber(x);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeNumberField("dim", embedder.dimensions());
            g.writeStringField("model", embedder.name());
            g.writeObjectFieldStart("usage");
            g.writeStringField("model", embedder.name());
            g.writeNumberField("compute_ms", computeMs);
            g.writeNumberField("tokens", tokens);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
