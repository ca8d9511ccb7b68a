package io.spillway.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxEmbedderIT {
    static OnnxEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = OnnxEmbedder.builtIn(1);
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    @Test
    void embed_givesUnitVectorsOf384Dimensions() {
        var v = embedder.embed(List.of("The cat sits on the mat."))[0];

        assertThat(embedder.dimensions()).isEqualTo(384);
        assertThat(v).hasSize(384);
        assertThat(cosine(v, v)).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void embed_placesSimilarSentencesCloserThanUnrelatedOnes() {
        var v = embedder.embed(List.of("How do I reset my password?", "I forgot my password and cannot log in.",
                "The stock market fell sharply on Tuesday."));

        assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]) + 0.2);
    }

    @Test
    void embed_aBatchGivesTheSameVectorsAsOneAtATime() {
        var texts = List.of("short", "a somewhat longer sentence that needs padding in a batch", "medium length text");
        var batch = embedder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            var single = embedder.embed(List.of(texts.get(i)))[0];
            assertThat(cosine(batch[i], single)).as(texts.get(i)).isCloseTo(1.0, within(1e-4));
        }
    }
}
