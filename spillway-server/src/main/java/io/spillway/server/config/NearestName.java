package io.spillway.server.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The known name a misspelt one most likely meant, for "did you mean" hints: the candidate at
 * the smallest edit distance (insertions, deletions, substitutions and swaps of neighbours, letter
 * case ignored), if it is close enough to be a typo: at most a third of the name's letters, at least
 * one. Stateless; thread-safe.
 */
public final class NearestName {
    private NearestName() {
    }

    /** The nearest of {@code candidates} to {@code name}; empty when none is close or name is one of them. */
    public static Optional<String> among(String name, Collection<String> candidates) {
        var word = name.toLowerCase(Locale.ROOT);
        int allowed = Math.max(1, letters(word) / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (var candidate : candidates) {
            if (candidate.equals(name)) {
                return Optional.empty();
            }
            int d = distance(word, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** Optimal string alignment distance: Levenshtein plus the swap of two neighbouring letters. */
    static int distance(String a, String b) {
        var d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static int letters(String word) {
        return (int) word.chars().filter(Character::isLetterOrDigit).count();
    }
}
