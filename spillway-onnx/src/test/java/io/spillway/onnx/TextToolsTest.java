package io.spillway.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class TextToolsTest {
    @Test
    void sentences_splitsOnSentenceEndsAndFoldsLineBreaks() {
        var s = Sentences.split("First sentence here.  Second one\nwraps a line! Third?\n\nHeading without stop\n\nLast.");

        assertThat(s).containsExactly("First sentence here.", "Second one wraps a line!", "Third?",
                "Heading without stop.", "Last.");
    }

    @Test
    void spread_keepsOrderAndCoversTheWholeText() {
        var all = IntStream.range(0, 100).mapToObj(String::valueOf).toList();

        assertThat(Sentences.spread(all, 4)).containsExactly("0", "25", "50", "75");
        assertThat(Sentences.spread(all.subList(0, 3), 4)).containsExactly("0", "1", "2");
    }

    @Test
    void contrast_findsTheClauseThatCarriesTheVerdict() {
        assertThat(Contrast.mainClause("The room was small, but it was clean and quiet."))
                .isEqualTo("it was clean and quiet.");
        assertThat(Contrast.mainClause("Although the menu is short, every dish is superb."))
                .isEqualTo("every dish is superb.");
        assertThat(Contrast.mainClause("Great, but slow, yet I would buy it again."))
                .isEqualTo("I would buy it again.");
        assertThat(Contrast.mainClause("I love butter on toast.")).isNull();
    }

    @Test
    void lexRank_ranksTheSentenceMostLikeTheOthersFirst() {
        float[][] v = {unit(1, 0, 0), unit(1, 0.5f, 0), unit(1, -0.5f, 0), unit(0, 0, 1)};

        var scores = LexRank.scores(v);

        assertThat(scores[0]).isGreaterThan(scores[1]).isGreaterThan(scores[3]);
        assertThat(Arrays.stream(scores).sum()).isCloseTo(1.0, Assertions.within(1e-6));
        assertThat(LexRank.choose(v, scores, 2)).containsExactly(0, 1);
    }

    @Test
    void lexRank_skipsASentenceThatRepeatsAChosenOne() {
        float[][] v = {unit(1, 0, 0), unit(1, 0.01f, 0), unit(1, 0.5f, 0)};

        var chosen = LexRank.choose(v, new double[] {0.5, 0.4, 0.1}, 2);

        assertThat(chosen).containsExactly(0, 2);
    }

    private static float[] unit(float... x) {
        double n = 0;
        for (float f : x) {
            n += f * f;
        }
        for (int i = 0; i < x.length; i++) {
            x[i] /= (float) Math.sqrt(n);
        }
        return x;
    }
}
