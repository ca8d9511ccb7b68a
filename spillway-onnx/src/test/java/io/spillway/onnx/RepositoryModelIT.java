package io.spillway.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.Outcome;
import io.spillway.core.json.JobInput;
import io.spillway.onnx.testing.TinyClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's own model in the repository, built by the test as a real ONNX file. */
class RepositoryModelIT {
    @TempDir
    Path repo;

    private Models repositoryModels() {
        var models = Models.of(ModelRepository.scan(repo), BatchObserver.NONE);
        models.loadRepository();
        return models;
    }

    @Test
    void aTextClassificationModel_servesClassifyAndSentimentByName() throws Exception {
        TinyClassifier.write(repo, "tiny-sentiment", List.of("negative", "positive"),
                List.of(List.of("awful", "broken"), List.of("great", "lovely")), "max_batch: 4\nconcurrency: 1\n");
        try (var models = repositoryModels()) {
            var classify = new ClassifyTask(models, TextLimits.DEFAULTS);
            var r = TextTasksIT.completed(classify, "{\"text\": \"a great and lovely day\", \"model\": \"tiny-sentiment\"}");
            assertThat(r.get("labels").get(0).get("label").asText()).isEqualTo("positive");
            assertThat(r.get("labels").get(0).get("score").asDouble()).isGreaterThan(0.9);
            assertThat(r.at("/usage/model").asText()).isEqualTo("tiny-sentiment");

            var sentiment = new SentimentTask(models, TextLimits.DEFAULTS);
            var s = TextTasksIT.completed(sentiment, "{\"text\": \"it arrived broken, awful\", \"model\": \"tiny-sentiment\"}");
            assertThat(s.get("label").asText()).isEqualTo("negative");

            assertThatThrownBy(() -> classify.validate(JobInput.ofJson("{\"text\": \"x\", \"model\": \"tiny-sentiment\", \"labels\": [\"meh\"]}")))
                    .hasMessageContaining("has no label 'meh'");
        }
    }

    @Test
    void aBatchOfManyTexts_runsInLengthGroupsWithTheSameAnswersAsAlone() throws Exception {
        TinyClassifier.write(repo, "tiny", List.of("negative", "positive"),
                List.of(List.of("bad"), List.of("good")), "max_batch: 16\n");
        var batches = new CopyOnWriteArrayList<int[]>();
        var models = Models.of(ModelRepository.scan(repo), new BatchObserver() {
            @Override
            public void batchRan(String model, int size, int paddedLength, long runNanos) {
                batches.add(new int[] {size, paddedLength});
            }
        });
        try (models) {
            var runner = models.runner("tiny");
            var texts = new ArrayList<String>();
            for (int i = 0; i < 40; i++) {
                texts.add(i % 2 == 0 ? "good" : "bad " + "word ".repeat(40));
            }
            var together = runner.run(texts).rows();
            for (int i = 0; i < 4; i++) {
                assertThat(runner.run(List.of(texts.get(i))).rows()[0]).containsExactly(together[i]);
            }
            assertThat(batches).anyMatch(b -> b[0] > 1);
            assertThat(batches).allMatch(b -> b[0] <= 16);
        }
    }

    @Test
    void labelsThatDoNotMatchTheModelOutputs_stopTheLoadWithAClearError() throws Exception {
        TinyClassifier.write(repo, "mismatch", List.of("a", "b"), List.of(List.of("x"), List.of("y")), "");
        Files.writeString(repo.resolve("mismatch/model.yaml"), "kind: text-classification\nlabels: [a, b, c]\n");

        assertThatThrownBy(this::repositoryModels).isInstanceOf(ModelRepositoryException.class)
                .hasMessageContaining("names 3 labels but the model outputs 2");
    }

    @Test
    void aCorruptModelFile_stopsTheLoadWithAClearError() throws Exception {
        TinyClassifier.write(repo, "corrupt", List.of("a", "b"), List.of(List.of("x"), List.of("y")), "");
        Files.write(repo.resolve("corrupt/model.onnx"), new byte[] {1, 2, 3, 4, 5});

        assertThatThrownBy(this::repositoryModels).isInstanceOf(ModelRepositoryException.class)
                .hasMessageContaining("corrupt").hasMessageContaining("cannot load model.onnx");
    }

    @Test
    void aCudaModelWithoutAGpu_saysWhatItNeeds() throws Exception {
        TinyClassifier.write(repo, "ongpu", List.of("a", "b"), List.of(List.of("x"), List.of("y")), "device: cuda\n");

        assertThatThrownBy(this::repositoryModels).isInstanceOf(ModelRepositoryException.class)
                .hasMessageContaining("device cuda needs");
    }

    @Test
    void aJobForAFailingModel_failsItsBatchForRetry() throws Exception {
        TinyClassifier.write(repo, "tiny", List.of("negative", "positive"), List.of(List.of("bad"), List.of("good")), "");
        try (var models = repositoryModels()) {
            var task = new ClassifyTask(models, TextLimits.DEFAULTS);
            var outcome = task.run(List.of(TextTasksIT.job("classify", "{\"text\": \"good\", \"model\": \"tiny\"}")));
            assertThat(outcome.getFirst()).isInstanceOf(Outcome.Completed.class);
        }
    }
}
