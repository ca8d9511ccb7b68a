package io.spillway.onnx;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Contrast in a sentence: in "X, but Y" and "although X, Y" the writer's verdict is Y. The
 * sentiment task scores such a text both whole and by its main clause and averages the two, the
 * rule lexicon-based analysers (VADER's "but" rule) apply to word scores.
 */
final class Contrast {
    private static final Pattern MARKER = Pattern.compile("(?i)(?:,|;|\\s)\\s*(?:but|yet|however|though|still|"
            + "nevertheless|nonetheless)[,\\s]+");
    private static final Pattern LEADING = Pattern.compile("(?i)^\\s*(?:although|though|even though|despite|"
            + "in spite of|while|whilst)\\b[^,]{3,},\\s*(.{8,})$");

    private Contrast() {
    }

    /** The clause that carries the verdict, or null when the text has no contrast. */
    static String mainClause(String text) {
        if (text.length() > SentimentTask.PASSAGE_CHARS) {
            return null;
        }
        var m = LEADING.matcher(text);
        if (m.find()) {
            return m.group(1).strip();
        }
        int last = -1;
        m = MARKER.matcher(text);
        // the last contrast marker wins: "A, but B, yet C" is C
        while (m.find()) {
            if (text.length() - m.end() >= 8) {
                last = m.end();
            }
        }
        if (last < 0) {
            return null;
        }
        var clause = text.substring(last).strip();
        return clause.toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT)) ? null : clause;
    }
}
