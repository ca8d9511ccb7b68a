package io.spillway.onnx;

/** Sees what model runners do, for metrics. Called on runner threads; must be quick. */
public interface BatchObserver {
    BatchObserver NONE = new BatchObserver() {
    };

    /** A model call ran {@code size} texts padded to {@code paddedLength} tokens in {@code runNanos}. */
    default void batchRan(String model, int size, int paddedLength, long runNanos) {
    }

    /** A text waited {@code waitNanos} between its submission and the start of its model call. */
    default void queued(String model, long waitNanos) {
    }

    /** Texts submitted and not yet taken by a runner, sampled when one is. */
    default void waiting(String model, int texts) {
    }
}
