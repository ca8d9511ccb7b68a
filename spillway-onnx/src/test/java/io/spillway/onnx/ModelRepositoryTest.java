package io.spillway.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRepositoryTest {
    @TempDir
    Path repo;

    private Path model(String name, String yaml) throws IOException {
        var dir = Files.createDirectories(repo.resolve(name));
        Files.writeString(dir.resolve("model.yaml"), yaml);
        Files.writeString(dir.resolve("model.onnx"), "x");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        return dir;
    }

    @Test
    void scan_readsEveryKeyWithDefaultsForTheOptionalOnes() throws IOException {
        model("intent", "kind: text-classification\nlabels: [billing, tech]\nmax_batch: 4\nconcurrency: 2\n"
                + "threads: 2\ndevice: cuda\nmax_tokens: 128\nbatch_wait_ms: 3\n");
        model("vectors", "kind: embedding\n");

        var specs = ModelRepository.scan(repo);

        assertThat(specs).hasSize(2);
        var intent = specs.get(0);
        assertThat(intent.name()).isEqualTo("intent");
        assertThat(intent.kind()).isEqualTo(ModelKind.TEXT_CLASSIFICATION);
        assertThat(intent.labels()).containsExactly("billing", "tech");
        assertThat(intent.maxBatch()).isEqualTo(4);
        assertThat(intent.concurrency()).isEqualTo(2);
        assertThat(intent.threads()).isEqualTo(2);
        assertThat(intent.device()).isEqualTo(Device.CUDA);
        assertThat(intent.maxTokens()).isEqualTo(128);
        assertThat(intent.batchWait()).isEqualTo(Duration.ofMillis(3));
        var vectors = specs.get(1);
        assertThat(vectors.kind()).isEqualTo(ModelKind.EMBEDDING);
        assertThat(vectors.maxBatch()).isEqualTo(8);
        assertThat(vectors.device()).isEqualTo(Device.CPU);
        assertThat(vectors.batchWait()).isZero();
    }

    @Test
    void scan_ofAMissingDirectory_isEmpty() {
        assertThat(ModelRepository.scan(repo.resolve("absent"))).isEmpty();
    }

    @Test
    void scan_reportsEveryInvalidModelWithItsFileAndReason() throws IOException {
        model("nolabels", "kind: text-classification\n");
        model("badkind", "kind: translation\n");
        model("typo", "kind: embedding\nmax_bacth: 4\n");
        model("range", "kind: embedding\nmax_batch: 0\ndevice: tpu\n");
        model("notyaml", "kind: [unclosed\n");
        var missing = Files.createDirectories(repo.resolve("nofiles"));
        Files.writeString(missing.resolve("model.yaml"), "kind: embedding\n");

        assertThatThrownBy(() -> ModelRepository.scan(repo))
                .isInstanceOf(ModelRepositoryException.class)
                .hasMessageContaining("nolabels").hasMessageContaining("needs 'labels'")
                .hasMessageContaining("kind must be embedding or text-classification, not 'translation'")
                .hasMessageContaining("unknown key 'max_bacth'")
                .hasMessageContaining("'max_batch' must be a whole number from 1")
                .hasMessageContaining("device must be cpu or cuda, not 'tpu'")
                .hasMessageContaining("notyaml").hasMessageContaining("not valid YAML")
                .hasMessageContaining("model.onnx is missing");
    }

    @Test
    void read_refusesReservedAndMalformedNames() throws IOException {
        var builtIn = model(ModelSpec.BUILT_IN, "kind: embedding\n");
        var upper = model("Has Spaces", "kind: embedding\n");

        assertThatThrownBy(() -> ModelRepository.read(builtIn)).hasMessageContaining("reserved");
        assertThatThrownBy(() -> ModelRepository.read(upper)).hasMessageContaining("directory name");
    }

    @Test
    void read_refusesLabelsOnAnEmbeddingModel() throws IOException {
        var dir = model("emb", "kind: embedding\nlabels: [a]\n");

        assertThatThrownBy(() -> ModelRepository.read(dir)).hasMessageContaining("an embedding model has no 'labels'");
    }
}
