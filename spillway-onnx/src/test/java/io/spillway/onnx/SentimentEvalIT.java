package io.spillway.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Accuracy of the built-in sentiment classifier on the project's evaluation set
 * (src/test/resources/sentiment/eval.tsv), which is never used to train it. The figures are
 * printed and written down in docs/models.md.
 */
class SentimentEvalIT {
    static Models models;
    static SentimentTask task;

    record Row(String label, String domain, String text) {
    }

    @BeforeAll
    static void load() {
        models = Models.builtIn();
        task = new SentimentTask(models, TextLimits.DEFAULTS);
    }

    @AfterAll
    static void close() {
        models.close();
    }

    static List<Row> evalSet() throws IOException {
        try (InputStream in = SentimentEvalIT.class.getResourceAsStream("/sentiment/eval.tsv")) {
            var rows = new ArrayList<Row>();
            for (var line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                var p = line.split("\t", 3);
                rows.add(new Row(p[0], p[1], p[2]));
            }
            return rows;
        }
    }

    @Test
    void evaluationSet_isLargeAndSeparateFromTheTrainingSet() throws IOException {
        var eval = evalSet();
        var train = SentimentHead.trainingSet().stream().map(e -> e.text().toLowerCase(Locale.ROOT)).toList();

        assertThat(eval).hasSizeGreaterThanOrEqualTo(200);
        assertThat(eval).noneMatch(r -> train.contains(r.text().toLowerCase(Locale.ROOT)));
    }

    @Test
    void clearPositiveAndNegativeText_isClassifiedCorrectlyAtLeast85PercentOfTheTime() throws Exception {
        var eval = evalSet();
        int polar = 0;
        int polarRight = 0;
        int all = 0;
        int allRight = 0;
        Map<String, int[]> byDomain = new TreeMap<>();
        Map<String, Integer> confusion = new TreeMap<>();
        var wrong = new ArrayList<String>();
        for (var row : eval) {
            var got = task.score(row.text()).label();
            boolean right = got.equals(row.label());
            all++;
            allRight += right ? 1 : 0;
            confusion.merge(row.label() + "->" + got, 1, Integer::sum);
            if (!row.label().equals("neutral")) {
                polar++;
                polarRight += right ? 1 : 0;
                var d = byDomain.computeIfAbsent(row.domain(), k -> new int[2]);
                d[0]++;
                d[1] += right ? 1 : 0;
            }
            if (!right) {
                wrong.add(row.label() + " as " + got + ": " + row.text());
            }
        }
        double polarAccuracy = (double) polarRight / polar;
        System.out.printf(Locale.ROOT, "sentiment eval: positive/negative %d/%d = %.3f; all three classes %d/%d = %.3f%n",
                polarRight, polar, polarAccuracy, allRight, all, (double) allRight / all);
        byDomain.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %s: %d/%d = %.3f%n", k, v[1], v[0], (double) v[1] / v[0]));
        System.out.println("  confusion (truth->predicted): " + confusion);
        wrong.forEach(w -> System.out.println("  wrong: " + w));

        assertThat(polarAccuracy).isGreaterThanOrEqualTo(0.85);
    }
}
