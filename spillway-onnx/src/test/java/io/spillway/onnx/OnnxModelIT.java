package io.spillway.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxModelIT {
    static Models models;
    static ModelRunner runner;

    @BeforeAll
    static void load() {
        models = Models.builtIn();
        runner = models.runner(ModelSpec.BUILT_IN);
    }

    @AfterAll
    static void close() {
        models.close();
    }

    static float[][] embed(List<String> texts) throws InterruptedException {
        return runner.run(texts).rows();
    }

    @Test
    void builtIn_givesUnitVectorsOf384Dimensions() throws Exception {
        var v = embed(List.of("The cat sits on the mat."))[0];

        assertThat(runner.model().outputSize()).isEqualTo(384);
        assertThat(v).hasSize(384);
        assertThat(Sentences.cosine(v, v)).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void builtIn_placesSimilarSentencesCloserThanUnrelatedOnes() throws Exception {
        var v = embed(List.of("How do I reset my password?", "I forgot my password and cannot log in.",
                "The stock market fell sharply on Tuesday."));

        assertThat(Sentences.cosine(v[0], v[1])).isGreaterThan(Sentences.cosine(v[0], v[2]) + 0.2);
    }

    @Test
    void builtIn_givesATextTheSameVectorWhateverRunsBesideIt() throws Exception {
        var texts = List.of("short", "a somewhat longer sentence that needs padding in a batch", "medium length text");
        var together = embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            var alone = embed(List.of(texts.get(i)))[0];
            assertThat(Sentences.cosine(together[i], alone)).as(texts.get(i)).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void run_reportsTokensAndComputeTime() throws Exception {
        var result = runner.run(List.of("one two three", "four five"));

        assertThat(result.tokens()).isEqualTo(5 + 4); // [CLS] … [SEP]
        assertThat(result.computeNanos()).isPositive();
    }
}
