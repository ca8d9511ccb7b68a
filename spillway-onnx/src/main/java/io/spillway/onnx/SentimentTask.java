package io.spillway.onnx;

import io.spillway.core.json.JobInput;
import io.spillway.core.json.Json;
import io.spillway.core.json.Usage;
import io.spillway.core.task.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code sentiment}: {@code {"text", "model"?}} → {@code {"label", "score", "scores": {"negative",
 * "neutral", "positive"}, "model", "usage"}}. By default the built-in {@link SentimentHead} over the
 * built-in embeddings; {@code "model"} may name a text-classification model of the repository whose
 * labels include {@code positive} and {@code negative}. Text longer than about a paragraph is
 * scored in passages of whole sentences (at most 32, spread over the text) and their
 * probabilities averaged, weighted by length.
 */
public final class SentimentTask extends ModelTask<SentimentTask.Request, SentimentTask.Request> {
    public static final String NAME = "sentiment";
    public static final String BUILT_IN = ModelSpec.BUILT_IN + "/sentiment-lr";
    static final int PASSAGE_CHARS = 600;
    static final int MAX_PASSAGES = 32;

    private volatile SentimentHead head;

    public SentimentTask(Models models, TextLimits limits) {
        super(models, limits);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBatchSize() {
        return 16;
    }

    record Request(ModelSpec classifier, String text) {
    }

    @Override
    Request parse(JobInput input) {
        String text = input.text("text", limits.maxDocumentChars());
        String requested = input.model();
        if (requested == null || requested.equals("auto") || requested.equals(BUILT_IN)) {
            return new Request(null, text);
        }
        var spec = models.resolve(requested, ModelSpec.BUILT_IN, ModelKind.TEXT_CLASSIFICATION, NAME);
        var lower = spec.labels().stream().map(l -> l.toLowerCase(Locale.ROOT)).toList();
        if (!lower.contains("positive") || !lower.contains("negative")) {
            throw new InvalidInputException("model '" + spec.name() + "' cannot tell sentiment: its labels ("
                    + String.join(", ", spec.labels()) + ") do not include positive and negative");
        }
        return new Request(spec, text);
    }

    /** Scores one text (for pipelines and tests). */
    public Scores score(String text) throws InterruptedException {
        return score(new Request(null, text));
    }

    /** Probabilities by label, the winning label, and what it cost. */
    public record Scores(String label, double score, double negative, double neutral, double positive, String model,
                         long computeMs, int tokens) {
    }

    private Scores score(Request r) throws InterruptedException {
        var passages = passages(r.text());
        var texts = new ArrayList<String>(passages);
        var mainClauses = new int[passages.size()];
        for (int i = 0; i < passages.size(); i++) {
            var clause = Contrast.mainClause(passages.get(i));
            mainClauses[i] = clause == null ? -1 : texts.size();
            if (clause != null) {
                texts.add(clause);
            }
        }
        String modelName = r.classifier() == null ? ModelSpec.BUILT_IN : r.classifier().name();
        var result = models.runner(modelName).run(texts);
        var sums = new double[3];
        double weight = 0;
        for (int i = 0; i < passages.size(); i++) {
            var p = probabilities(r, result.rows()[i]);
            if (mainClauses[i] >= 0) {
                var main = probabilities(r, result.rows()[mainClauses[i]]);
                for (int c = 0; c < 3; c++) {
                    p[c] = (p[c] + main[c]) / 2;
                }
            }
            double w = passages.get(i).length();
            for (int c = 0; c < 3; c++) {
                sums[c] += w * p[c];
            }
            weight += w;
        }
        int best = 0;
        for (int c = 0; c < 3; c++) {
            sums[c] /= weight;
            if (sums[c] > sums[best]) {
                best = c;
            }
        }
        return new Scores(SentimentHead.LABELS.get(best), sums[best], sums[0], sums[1], sums[2],
                r.classifier() == null ? BUILT_IN : modelName, result.computeMillis(), result.tokens());
    }

    private double[] probabilities(Request r, float[] row) throws InterruptedException {
        return r.classifier() == null ? head().probabilities(row) : fromClassifier(r.classifier(), row);
    }

    /** A classifier's probabilities as negative, neutral, positive (neutral 0 when it has no such label). */
    private static double[] fromClassifier(ModelSpec spec, float[] probs) {
        var out = new double[3];
        for (int i = 0; i < spec.labels().size(); i++) {
            int c = SentimentHead.LABELS.indexOf(spec.labels().get(i).toLowerCase(Locale.ROOT));
            if (c >= 0) {
                out[c] += probs[i];
            }
        }
        double sum = out[0] + out[1] + out[2];
        for (int c = 0; c < 3 && sum > 0; c++) {
            out[c] /= sum;
        }
        return out;
    }

    static List<String> passages(String text) {
        if (text.length() <= PASSAGE_CHARS) {
            return List.of(text);
        }
        var passages = new ArrayList<String>();
        var current = new StringBuilder();
        for (var s : Sentences.split(text)) {
            if (!current.isEmpty() && current.length() + s.length() > PASSAGE_CHARS) {
                passages.add(current.toString());
                current.setLength(0);
            }
            current.append(current.isEmpty() ? "" : " ").append(s);
        }
        if (!current.isEmpty()) {
            passages.add(current.toString());
        }
        return Sentences.spread(passages, MAX_PASSAGES);
    }

    private SentimentHead head() throws InterruptedException {
        var h = head;
        if (h == null) {
            synchronized (this) {
                if (head == null) {
                    var examples = SentimentHead.trainingSet();
                    var vectors = models.runner(ModelSpec.BUILT_IN).run(examples.stream().map(SentimentHead.Example::text).toList());
                    var y = examples.stream().mapToInt(e -> SentimentHead.LABELS.indexOf(e.label())).toArray();
                    head = SentimentHead.train(vectors.rows(), y);
                }
                h = head;
            }
        }
        return h;
    }

    @Override
    Request start(Request request) {
        return request; // scoring runs several model calls in sequence: all of it in finish
    }

    @Override
    String finish(Request r, Request same) throws InterruptedException {
        var s = score(r);
        return Json.object(g -> {
            g.writeStringField("label", s.label());
            g.writeNumberField("score", round(s.score()));
            g.writeObjectFieldStart("scores");
            g.writeNumberField("negative", round(s.negative()));
            g.writeNumberField("neutral", round(s.neutral()));
            g.writeNumberField("positive", round(s.positive()));
            g.writeEndObject();
            g.writeStringField("model", s.model());
            Usage.compute(s.model(), s.computeMs(), s.tokens(), models.cost(s.model(), s.computeMs())).writeField(g);
        });
    }

    static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
