package io.spillway.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Continuous LexRank (Erkan and Radev, 2004) over sentence embeddings: sentences are nodes, edges
 * are cosine similarities above a threshold, and a sentence's score is its PageRank-style
 * centrality. The summary is the most central sentences, in document order, skipping any that
 * repeats one already chosen.
 */
final class LexRank {
    static final double THRESHOLD = 0.1;
    static final double DAMPING = 0.85;
    static final double REDUNDANT = 0.92;

    private LexRank() {
    }

    /** Centrality of each sentence; sums to 1. */
    static double[] scores(float[][] vectors) {
        int n = vectors.length;
        var weights = new double[n][n];
        var rowSums = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double sim = Sentences.cosine(vectors[i], vectors[j]);
                if (sim > THRESHOLD) {
                    weights[i][j] = sim;
                    weights[j][i] = sim;
                    rowSums[i] += sim;
                    rowSums[j] += sim;
                }
            }
        }
        var score = new double[n];
        Arrays.fill(score, 1.0 / n);
        var next = new double[n];
        for (int iter = 0; iter < 100; iter++) {
            Arrays.fill(next, (1 - DAMPING) / n);
            double dangling = 0;
            for (int i = 0; i < n; i++) {
                if (rowSums[i] == 0) {
                    dangling += score[i];
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    if (weights[i][j] > 0) {
                        next[j] += DAMPING * score[i] * weights[i][j] / rowSums[i];
                    }
                }
            }
            double delta = 0;
            for (int j = 0; j < n; j++) {
                next[j] += DAMPING * dangling / n;
                delta += Math.abs(next[j] - score[j]);
            }
            var t = score;
            score = next;
            next = t;
            if (delta < 1e-9) {
                break;
            }
        }
        return score;
    }

    /** Indexes of the chosen sentences, in document order. */
    static List<Integer> choose(float[][] vectors, double[] scores, int max) {
        var byScore = IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -scores[i]).thenComparingInt(i -> i)).toList();
        var chosen = new ArrayList<Integer>();
        for (int i : byScore) {
            if (chosen.size() == max) {
                break;
            }
            if (chosen.stream().noneMatch(c -> Sentences.cosine(vectors[c], vectors[i]) > REDUNDANT)) {
                chosen.add(i);
            }
        }
        chosen.sort(Comparator.naturalOrder());
        return chosen;
    }
}
