/**
 * In-process models on ONNX Runtime: a model and its tokenizer ({@link io.spillway.onnx.OnnxModel}),
 * continuous batching per model ({@link io.spillway.onnx.ModelRunner}), the built-in model and a
 * user's model repository ({@link io.spillway.onnx.Models}, {@link io.spillway.onnx.ModelRepository}),
 * and the tasks on them: {@code embed}, {@code classify}, {@code sentiment}, {@code summarize}
 * (all {@link io.spillway.onnx.ModelTask}s).
 */
package io.spillway.onnx;
