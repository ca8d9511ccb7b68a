package io.spillway.onnx;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A model as configured: its {@code model.yaml} in the model repository, or the built-in one.
 *
 * @param name        the directory name; what jobs name in {@code "model"}
 * @param kind        what the output means
 * @param dir         the directory holding {@code model.onnx} and {@code tokenizer.json}; null for
 *                    the built-in model, which is read from the class path
 * @param labels      one per output of a text-classification model, in output order; empty otherwise
 * @param maxBatch    most texts in one model call
 * @param concurrency model calls running at once (each on its own runner thread)
 * @param threads     ONNX Runtime intra-op threads per call
 * @param device      cpu or cuda
 * @param maxTokens   texts are truncated to this many tokens
 * @param batchWait   how long a runner waits for a batch to fill; zero takes what is waiting
 * @param pricePerComputeSecond what a second of this model's compute costs, for {@code usage.cost}
 */
public record ModelSpec(String name, ModelKind kind, Path dir, List<String> labels, int maxBatch, int concurrency,
                        int threads, Device device, int maxTokens, Duration batchWait, double pricePerComputeSecond) {

    /** The built-in embedding model (the quantized all-MiniLM-L6-v2 from the langchain4j artifact). */
    public static final String BUILT_IN = "all-minilm-l6-v2-q";

    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(device, "device");
        labels = List.copyOf(labels);
        Objects.requireNonNull(batchWait, "batchWait");
        if (maxBatch < 1 || concurrency < 1 || threads < 1 || maxTokens < 2 || pricePerComputeSecond < 0) {
            throw new IllegalArgumentException("max_batch, concurrency and threads must be positive, max_tokens at least 2");
        }
    }

    /**
     * The built-in model's configuration, from measurement on a 2-core AVX2 CPU: one text per
     * call (it is dynamically quantized, so batching would make a text's vector depend on its
     * neighbours, and batching gains little on this CPU) and one concurrent call per core with one
     * intra-op thread each.
     */
    public static ModelSpec builtIn() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ModelSpec(BUILT_IN, ModelKind.EMBEDDING, null, List.of(), 1, Math.max(1, cores), 1, Device.CPU, 256,
                Duration.ZERO, 0);
    }

    public boolean isBuiltIn() {
        return dir == null;
    }

    public ModelSpec withConcurrency(int n) {
        return new ModelSpec(name, kind, dir, labels, maxBatch, n, threads, device, maxTokens, batchWait, pricePerComputeSecond);
    }

    public ModelSpec withMaxBatch(int n) {
        return new ModelSpec(name, kind, dir, labels, n, concurrency, threads, device, maxTokens, batchWait, pricePerComputeSecond);
    }

    public ModelSpec withPrice(double perComputeSecond) {
        return new ModelSpec(name, kind, dir, labels, maxBatch, concurrency, threads, device, maxTokens, batchWait, perComputeSecond);
    }

    /** The cost of this much compute. */
    public double cost(long computeMs) {
        return Math.round(computeMs / 1000.0 * pricePerComputeSecond * 1e8) / 1e8;
    }
}
