package io.spillway.onnx;

import io.spillway.core.json.JobInput;
import io.spillway.core.json.Json;
import io.spillway.core.json.Usage;
import io.spillway.core.task.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code classify}: {@code {"text", "labels": [...]}} → {@code {"labels": [{"label", "score"}, ...]}}
 * best first. With the default model it is zero-shot: the text and each label are embedded and
 * the scores are a softmax over their cosine similarities (scaled by 20, the usual temperature
 * of contrastively trained sentence encoders), so they sum to 1 over the labels given. With
 * {@code "model"} naming a text-classification model of the repository the model's own labels
 * and probabilities are returned ({@code labels}, when given, must be among them and restrict the
 * answer).
 */
public final class ClassifyTask extends ModelTask<ClassifyTask.Request, ModelRunner.Pending> {
    public static final String NAME = "classify";
    static final int MAX_LABELS = 64;
    static final int MAX_LABEL_CHARS = 200;
    private static final double SCALE = 20;

    private final Map<String, float[]> labelVectors = new ConcurrentHashMap<>();

    public ClassifyTask(Models models, TextLimits limits) {
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

    record Request(ModelSpec model, String text, List<String> labels) {
    }

    @Override
    Request parse(JobInput input) {
        String text = input.text("text", limits.maxTextChars());
        String requested = input.model();
        var labelsNode = input.field("labels");
        var labels = new ArrayList<String>();
        if (labelsNode != null && !labelsNode.isNull()) {
            if (!labelsNode.isArray() || labelsNode.isEmpty()) {
                throw new InvalidInputException("'labels' must be a non-empty array of strings");
            }
            if (labelsNode.size() > MAX_LABELS) {
                throw new InvalidInputException("'labels' holds " + labelsNode.size() + " labels; at most " + MAX_LABELS);
            }
            for (var l : labelsNode) {
                if (!l.isTextual() || l.asText().isBlank() || l.asText().length() > MAX_LABEL_CHARS) {
                    throw new InvalidInputException("every label must be a non-empty string of at most "
                            + MAX_LABEL_CHARS + " characters");
                }
                labels.add(l.asText());
            }
            if (new LinkedHashSet<>(labels).size() != labels.size()) {
                throw new InvalidInputException("'labels' must not repeat a label");
            }
        }
        var spec = requested == null || requested.equals("auto") ? null : models.spec(requested).orElse(null);
        if (requested != null && !requested.equals("auto") && spec == null) {
            throw new InvalidInputException("no model named '" + requested + "'; classify can use: "
                    + String.join(", ", models.specs().stream().map(ModelSpec::name).toList()));
        }
        if (spec != null && spec.kind() == ModelKind.TEXT_CLASSIFICATION) {
            for (var l : labels) {
                if (!spec.labels().contains(l)) {
                    throw new InvalidInputException("model '" + spec.name() + "' has no label '" + l + "'; its labels: "
                            + String.join(", ", spec.labels()));
                }
            }
            return new Request(spec, text, labels.isEmpty() ? spec.labels() : labels);
        }
        if (labels.isEmpty()) {
            var classifiers = models.specs().stream().filter(s -> s.kind() == ModelKind.TEXT_CLASSIFICATION)
                    .map(ModelSpec::name).toList();
            throw new InvalidInputException("'labels' is required: give the candidate labels for zero-shot "
                    + "classification" + (classifiers.isEmpty() ? "" : ", or name a text-classification model in "
                    + "'model' (" + String.join(", ", classifiers) + ")"));
        }
        if (labels.size() < 2) {
            throw new InvalidInputException("zero-shot classification needs at least 2 labels");
        }
        var model = models.resolve(requested, ModelSpec.BUILT_IN, ModelKind.EMBEDDING, NAME);
        return new Request(model, text, labels);
    }

    @Override
    ModelRunner.Pending start(Request request) {
        return models.runner(request.model().name()).submitAll(List.of(request.text()));
    }

    @Override
    String finish(Request r, ModelRunner.Pending text) throws InterruptedException {
        var result = text.await();
        return r.model().kind() == ModelKind.TEXT_CLASSIFICATION ? fromClassifier(r, result) : zeroShot(r, result);
    }

    private String fromClassifier(Request r, ModelRunner.Result result) {
        var probs = result.rows()[0];
        var all = r.model().labels();
        double kept = 0;
        for (var l : r.labels()) {
            kept += probs[all.indexOf(l)];
        }
        var scored = new ArrayList<Scored>();
        for (var l : r.labels()) {
            scored.add(new Scored(l, kept > 0 ? probs[all.indexOf(l)] / kept : 0));
        }
        return answer(scored, r.model().name(), result.computeMillis(), result.tokens());
    }

    private String zeroShot(Request r, ModelRunner.Result text) throws InterruptedException {
        var runner = models.runner(r.model().name());
        var missing = r.labels().stream().filter(l -> !labelVectors.containsKey(key(r, l))).toList();
        long computeMs = text.computeMillis();
        int tokens = text.tokens();
        if (!missing.isEmpty()) {
            var vectors = runner.run(missing);
            if (labelVectors.size() > 10_000) {
                labelVectors.clear();
            }
            for (int i = 0; i < missing.size(); i++) {
                labelVectors.put(key(r, missing.get(i)), vectors.rows()[i]);
            }
            computeMs += vectors.computeMillis();
            tokens += vectors.tokens();
        }
        var v = text.rows()[0];
        var sims = new double[r.labels().size()];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < sims.length; i++) {
            var lv = labelVectors.get(key(r, r.labels().get(i)));
            sims[i] = SCALE * Sentences.cosine(v, lv == null ? runner.run(List.of(r.labels().get(i))).rows()[0] : lv);
            max = Math.max(max, sims[i]);
        }
        double sum = 0;
        for (int i = 0; i < sims.length; i++) {
            sims[i] = Math.exp(sims[i] - max);
            sum += sims[i];
        }
        var scored = new ArrayList<Scored>();
        for (int i = 0; i < sims.length; i++) {
            scored.add(new Scored(r.labels().get(i), sims[i] / sum));
        }
        return answer(scored, r.model().name(), computeMs, tokens);
    }

    private static String key(Request r, String label) {
        return r.model().name() + '\u0000' + label;
    }

    private record Scored(String label, double score) {
    }

    private String answer(List<Scored> scored, String model, long computeMs, int tokens) {
        double cost = models.cost(model, computeMs);
        var sorted = new ArrayList<>(scored);
        sorted.sort(Comparator.comparingDouble(Scored::score).reversed());
        return Json.object(g -> {
            g.writeArrayFieldStart("labels");
            for (var s : sorted) {
                g.writeStartObject();
                g.writeStringField("label", s.label());
                g.writeNumberField("score", Math.round(s.score() * 10_000) / 10_000.0);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", model);
            Usage.compute(model, computeMs, tokens, cost).writeField(g);
        });
    }
}
