package io.spillway.onnx;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model loaded into ONNX Runtime with its HuggingFace tokenizer. {@link #run} takes a batch of
 * tokenized texts (padded here to the longest) and returns one row per text: a unit-length vector
 * for an embedding model (mean pooling over the real tokens when the model outputs token states),
 * label probabilities (softmax of the logits) for a text-classification model.
 *
 * <p>Inputs are fed by the names the model declares: {@code input_ids}, and {@code attention_mask}
 * and {@code token_type_ids} when it has them. The first output is read. Thread-safe: ONNX
 * Runtime sessions run concurrent calls.
 */
public final class OnnxModel implements AutoCloseable {
    private final ModelSpec spec;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean wantsMask;
    private final boolean wantsTypes;
    private final int outputSize;

    private OnnxModel(ModelSpec spec, byte[] model, InputStream tokenizerJson) throws OrtException, IOException {
        this.spec = spec;
        this.env = OrtEnvironment.getEnvironment();
        try (var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(spec.threads());
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (spec.device() == Device.CUDA) {
                try {
                    options.addCUDA(0);
                } catch (OrtException | UnsatisfiedLinkError e) {
                    throw new ModelRepositoryException(spec.name() + ": device cuda needs an NVIDIA GPU and the CUDA "
                            + "build of ONNX Runtime (build with ./mvnw -Pgpu); " + e.getMessage(), e);
                }
            }
            this.session = env.createSession(model, options);
        }
        try {
            var inputs = session.getInputNames();
            if (!inputs.contains("input_ids")) {
                throw new ModelRepositoryException(spec.name() + ": the model has no input named input_ids (it has "
                        + inputs + "); export it with the HuggingFace tokenizer's input names");
            }
            this.wantsMask = inputs.contains("attention_mask");
            this.wantsTypes = inputs.contains("token_type_ids");
            this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "maxLength", String.valueOf(spec.maxTokens()), "truncation", "true", "padding", "false"));
            this.outputSize = run(List.of(encode("probe")))[0].length;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        if (spec.kind() == ModelKind.TEXT_CLASSIFICATION && outputSize != spec.labels().size()) {
            close();
            throw new ModelRepositoryException(spec.name() + ": model.yaml names " + spec.labels().size()
                    + " labels but the model outputs " + outputSize + " scores per text");
        }
    }

    /**
     * Loads a model: from its directory, or the built-in one from the class path.
     *
     * @throws ModelRepositoryException when the files cannot be read or ONNX Runtime refuses them
     */
    public static OnnxModel load(ModelSpec spec) {
        try {
            if (spec.isBuiltIn()) {
                try (var model = resource("/" + ModelSpec.BUILT_IN + ".onnx");
                     var tokenizer = resource("/" + ModelSpec.BUILT_IN + "-tokenizer.json")) {
                    return new OnnxModel(spec, model.readAllBytes(), tokenizer);
                }
            }
            try (var tokenizer = Files.newInputStream(spec.dir().resolve("tokenizer.json"))) {
                return new OnnxModel(spec, Files.readAllBytes(spec.dir().resolve("model.onnx")), tokenizer);
            }
        } catch (IOException e) {
            throw new ModelRepositoryException(spec.name() + ": cannot read the model files: " + e.getMessage(), e);
        } catch (OrtException e) {
            throw new ModelRepositoryException(spec.name() + ": ONNX Runtime cannot load model.onnx: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof ModelRepositoryException) {
                throw e;
            }
            throw new ModelRepositoryException(spec.name() + ": cannot load the model: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String path) {
        var in = OnnxModel.class.getResourceAsStream(path);
        if (in == null) {
            throw new ModelRepositoryException("the model file " + path + " is not on the class path");
        }
        return in;
    }

    public ModelSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    /** The vector dimension of an embedding model, the label count of a classifier. */
    public int outputSize() {
        return outputSize;
    }

    /** Tokenizes a text, truncated to the model's {@code max_tokens}. */
    public Tokens encode(String text) {
        var e = tokenizer.encode(text);
        return new Tokens(e.getIds(), e.getAttentionMask(), e.getTypeIds());
    }

    /** One model call for these texts, padded to the longest; one output row per text. */
    public float[][] run(List<Tokens> batch) {
        int n = batch.size();
        int longest = 1;
        for (var t : batch) {
            longest = Math.max(longest, t.length());
        }
        var ids = LongBuffer.allocate(n * longest);
        var mask = LongBuffer.allocate(n * longest);
        var types = LongBuffer.allocate(n * longest);
        for (var t : batch) {
            for (int j = 0; j < longest; j++) {
                boolean real = j < t.length();
                ids.put(real ? t.ids()[j] : 0);
                mask.put(real ? t.mask()[j] : 0);
                types.put(real ? t.types()[j] : 0);
            }
        }
        ids.flip();
        mask.flip();
        types.flip();
        long[] shape = {n, longest};
        try (var idsT = OnnxTensor.createTensor(env, ids, shape);
             var maskT = OnnxTensor.createTensor(env, mask, shape);
             var typesT = OnnxTensor.createTensor(env, types, shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idsT);
            if (wantsMask) {
                inputs.put("attention_mask", maskT);
            }
            if (wantsTypes) {
                inputs.put("token_type_ids", typesT);
            }
            try (var result = session.run(inputs)) {
                Object value = result.get(0).getValue();
                return switch (value) {
                    case float[][][] states when spec.kind() == ModelKind.EMBEDDING -> meanPool(states, batch);
                    case float[][] rows when spec.kind() == ModelKind.EMBEDDING -> normalise(rows);
                    case float[][] rows -> softmax(rows);
                    default -> throw new IllegalStateException(spec.name() + ": unexpected output "
                            + describe(result.get(0).getInfo()) + " for a " + spec.kind().wireName() + " model");
                };
            }
        } catch (OrtException e) {
            throw new IllegalStateException(spec.name() + ": the model call failed: " + e.getMessage(), e);
        }
    }

    private static String describe(Object info) {
        return info instanceof TensorInfo t ? t.toString() : info instanceof NodeInfo n ? n.toString() : String.valueOf(info);
    }

    /** Mean of the real tokens' vectors, scaled to unit length (sentence-transformers' pooling). */
    private static float[][] meanPool(float[][][] states, List<Tokens> batch) {
        var out = new float[states.length][];
        for (int i = 0; i < states.length; i++) {
            int tokens = Math.max(1, batch.get(i).length());
            var v = new float[states[i][0].length];
            for (int t = 0; t < tokens; t++) {
                var s = states[i][t];
                for (int k = 0; k < v.length; k++) {
                    v[k] += s[k];
                }
            }
            out[i] = v;
        }
        return normalise(out);
    }

    private static float[][] normalise(float[][] rows) {
        for (var v : rows) {
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < v.length && norm > 0; k++) {
                v[k] /= (float) norm;
            }
        }
        return rows;
    }

    private static float[][] softmax(float[][] rows) {
        for (var v : rows) {
            double max = Double.NEGATIVE_INFINITY;
            for (float x : v) {
                max = Math.max(max, x);
            }
            double sum = 0;
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) Math.exp(v[k] - max);
                sum += v[k];
            }
            for (int k = 0; k < v.length; k++) {
                v[k] /= (float) sum;
            }
        }
        return rows;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // closing
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
