package io.spillway.onnx;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits text into sentences (java.text rules, whitespace and line breaks inside sentences folded). */
final class Sentences {
    private Sentences() {
    }

    static List<String> split(String text) {
        var folded = text.replaceAll("\\s*\\n\\s*\\n\\s*", ".\u2029").replaceAll("\\s+", " ").replace('\u2029', ' ')
                .replaceAll("([.!?])\\.(\\s|$)", "$1$2").replaceAll("(^|\\s)\\.(\\s|$)", "$1$2");
        var it = BreakIterator.getSentenceInstance(Locale.ROOT);
        it.setText(folded);
        var out = new ArrayList<String>();
        int start = it.first();
        for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
            var s = folded.substring(start, end).strip();
            if (s.chars().anyMatch(Character::isLetterOrDigit)) {
                out.add(s);
            }
        }
        return out;
    }

    /** At most {@code max} of them, evenly spread over the text, in order. */
    static List<String> spread(List<String> sentences, int max) {
        if (sentences.size() <= max) {
            return sentences;
        }
        var out = new ArrayList<String>(max);
        for (int i = 0; i < max; i++) {
            out.add(sentences.get((int) ((long) i * sentences.size() / max)));
        }
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }
}
