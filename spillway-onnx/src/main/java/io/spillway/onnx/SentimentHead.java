package io.spillway.onnx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The built-in sentiment classifier: multinomial logistic regression (negative, neutral,
 * positive) over sentence embeddings, trained when first needed on the project's own training
 * sentences ({@code sentiment-train.tsv}: reviews, support tickets, news and workplace text,
 * written with negation and contrast on purpose). Training is deterministic: full-batch gradient
 * descent from zero weights with L2 regularisation.
 */
final class SentimentHead {
    static final List<String> LABELS = List.of("negative", "neutral", "positive");
    private static final int EPOCHS = 600;
    private static final double RATE = 2.0;
    private static final double L2 = 1e-4;

    private final double[][] weights; // [label][dim + 1], bias last

    private SentimentHead(double[][] weights) {
        this.weights = weights;
    }

    /** A labelled training sentence. */
    record Example(String label, String text) {
    }

    /** The training sentences shipped with the module. */
    static List<Example> trainingSet() {
        var in = Objects.requireNonNull(SentimentHead.class.getResourceAsStream("sentiment-train.tsv"),
                "sentiment-train.tsv is not on the class path");
        var out = new ArrayList<Example>();
        try (var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                var parts = line.split("\t", 2);
                if (parts.length != 2 || !LABELS.contains(parts[0])) {
                    throw new IllegalStateException("bad line in sentiment-train.tsv: " + line);
                }
                out.add(new Example(parts[0], parts[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Trains on embedded examples: {@code x[i]} is the vector of an example labelled {@code y[i]}. */
    static SentimentHead train(float[][] x, int[] y) {
        int n = x.length;
        int d = x[0].length;
        int k = LABELS.size();
        var w = new double[k][d + 1];
        var p = new double[k];
        var grad = new double[k][d + 1];
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            for (var g : grad) {
                Arrays.fill(g, 0);
            }
            for (int i = 0; i < n; i++) {
                logits(w, x[i], p);
                softmax(p);
                for (int c = 0; c < k; c++) {
                    double err = p[c] - (y[i] == c ? 1 : 0);
                    var gc = grad[c];
                    for (int j = 0; j < d; j++) {
                        gc[j] += err * x[i][j];
                    }
                    gc[d] += err;
                }
            }
            for (int c = 0; c < k; c++) {
                for (int j = 0; j <= d; j++) {
                    w[c][j] -= RATE * (grad[c][j] / n + (j < d ? L2 * w[c][j] : 0));
                }
            }
        }
        return new SentimentHead(w);
    }

    /** Probabilities of negative, neutral, positive. */
    double[] probabilities(float[] v) {
        var p = new double[LABELS.size()];
        logits(weights, v, p);
        softmax(p);
        return p;
    }

    private static void logits(double[][] w, float[] v, double[] out) {
        int d = v.length;
        for (int c = 0; c < w.length; c++) {
            double s = w[c][d];
            for (int j = 0; j < d; j++) {
                s += w[c][j] * v[j];
            }
            out[c] = s;
        }
    }

    private static void softmax(double[] p) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : p) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            p[c] = Math.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < p.length; c++) {
            p[c] /= sum;
        }
    }
}
