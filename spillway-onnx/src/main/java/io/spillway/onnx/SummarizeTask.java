package io.spillway.onnx;

import io.spillway.core.json.JobInput;
import io.spillway.core.json.Json;
import io.spillway.core.json.Usage;
import io.spillway.core.task.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code summarize}: {@code {"text", "max_sentences"?}} → {@code {"summary", "sentences": [{"index",
 * "text", "score"}], "model", "usage"}}: extractive, the most central sentences by
 * {@link LexRank} over the built-in sentence embeddings, in document order. Texts of more than
 * {@value #MAX_SENTENCES} sentences are summarised from that many, spread evenly over the text.
 */
public final class SummarizeTask extends ModelTask<SummarizeTask.Request, SummarizeTask.Request> {
    public static final String NAME = "summarize";
    public static final String METHOD = ModelSpec.BUILT_IN + "/lexrank";
    static final int MAX_SENTENCES = 300;
    static final int DEFAULT_SENTENCES = 3;


    public SummarizeTask(Models models, TextLimits limits) {
        super(models, limits);
    }

    @Override
    public String name() {
        return NAME;
    }

    record Request(String text, int maxSentences) {
    }

    @Override
    Request parse(JobInput input) {
        var text = input.text("text", limits.maxDocumentChars());
        var model = input.model();
        if (model != null && !model.equals("auto") && !model.equals(METHOD)) {
            throw new InvalidInputException("summarize runs on '" + METHOD + "' (extractive); no model '" + model
                    + "' can summarize here");
        }
        return new Request(text, input.intIn("max_sentences", DEFAULT_SENTENCES, 1, 50));
    }

    /** A summary with the sentences it took and what it cost. */
    public record Summary(String text, List<Chosen> sentences, long computeMs, int tokens) {
    }

    /** A chosen sentence: its position among the text's sentences and its centrality. */
    public record Chosen(int index, String text, double score) {
    }

    /** Summarises a text (for pipelines and tests). */
    public Summary summarize(String text, int maxSentences) throws InterruptedException {
        var all = Sentences.split(text);
        if (all.isEmpty()) {
            return new Summary("", List.of(), 0, 0);
        }
        var sentences = Sentences.spread(all, MAX_SENTENCES);
        if (sentences.size() <= maxSentences) {
            var chosen = new ArrayList<Chosen>();
            for (int i = 0; i < sentences.size(); i++) {
                chosen.add(new Chosen(i, sentences.get(i), 1.0 / sentences.size()));
            }
            return new Summary(String.join(" ", sentences), chosen, 0, 0);
        }
        var result = models.runner(ModelSpec.BUILT_IN).run(sentences);
        var scores = LexRank.scores(result.rows());
        var chosen = new ArrayList<Chosen>();
        for (int i : LexRank.choose(result.rows(), scores, maxSentences)) {
            chosen.add(new Chosen(i, sentences.get(i), scores[i]));
        }
        var summary = String.join(" ", chosen.stream().map(Chosen::text).toList());
        return new Summary(summary, chosen, result.computeMillis(), result.tokens());
    }

    @Override
    Request start(Request request) {
        return request; // ranking runs after the sentences are embedded: all of it in finish
    }

    @Override
    String finish(Request r, Request same) throws InterruptedException {
        var s = summarize(r.text(), r.maxSentences());
        return Json.object(g -> {
            g.writeStringField("summary", s.text());
            g.writeArrayFieldStart("sentences");
            for (var c : s.sentences()) {
                g.writeStartObject();
                g.writeNumberField("index", c.index());
                g.writeStringField("text", c.text());
                g.writeNumberField("score", SentimentTask.round(c.score()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", METHOD);
            Usage.compute(METHOD, s.computeMs(), s.tokens(), models.cost(METHOD, s.computeMs())).writeField(g);
        });
    }
}
