package io.spillway.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sentence-embedding model on ONNX Runtime with its HuggingFace tokenizer: texts in, unit-length
 * vectors out (mean pooling over the tokens, then L2 normalisation, as sentence-transformers do).
 * The built-in one is the quantized all-MiniLM-L6-v2 (384 dimensions) that the langchain4j
 * embeddings artifact carries; nothing is downloaded.
 *
 * <p>Each text runs as its own model call. The built-in model is dynamically quantized: its
 * activation scales are computed over the whole input tensor, so texts sharing a call (and the
 * padding between them) change each other's vectors (cosine 0.985 measured). One text per call
 * keeps a text's vector independent of its neighbours; on this CPU it costs little throughput
 * (see ../bench), and concurrency comes from several calls running at once.
 *
 * <p>Thread-safe: ONNX Runtime sessions may run concurrently.
 */
public final class OnnxEmbedder implements AutoCloseable {
    public static final String BUILT_IN = "all-minilm-l6-v2-q";

    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean needsTokenTypes;
    private final int dim;

    private OnnxEmbedder(String name, byte[] model, InputStream tokenizerJson, int maxTokens, int intraOpThreads)
            throws OrtException, IOException {
        this.name = name;
        this.env = OrtEnvironment.getEnvironment();
        try (var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(model, options);
        }
        this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                "maxLength", String.valueOf(maxTokens), "truncation", "true", "padding", "false"));
        this.needsTokenTypes = session.getInputNames().contains("token_type_ids");
        this.dim = embed(List.of("dimension probe"))[0].length;
    }

    /**
     * The built-in all-MiniLM-L6-v2 (quantized) from the class path.
     *
     * @throws IllegalStateException when the model files are missing or ONNX Runtime cannot load them
     */
    public static OnnxEmbedder builtIn(int intraOpThreads) {
        try (var model = resource("/all-minilm-l6-v2-q.onnx"); var tokenizer = resource("/all-minilm-l6-v2-q-tokenizer.json")) {
            return new OnnxEmbedder(BUILT_IN, model.readAllBytes(), tokenizer, 256, intraOpThreads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in embedding model", e);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the built-in embedding model: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String path) {
        var in = OnnxEmbedder.class.getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("the model file " + path + " is not on the class path");
        }
        return in;
    }

    public String name() {
        return name;
    }

    public int dimensions() {
        return dim;
    }

    /** Token count of a text as the model sees it (after truncation). */
    public int tokens(String text) {
        return tokenizer.encode(text).getIds().length;
    }

    /** Vectors with the number of tokens the model read for them. */
    public record Embeddings(float[][] vectors, int tokens) {
    }

    /** One unit-length vector per text, in order. */
    public float[][] embed(List<String> texts) {
        return embedCounting(texts).vectors();
    }

    /** As {@link #embed}, also counting the tokens (from the same tokenization). */
    public Embeddings embedCounting(List<String> texts) {
        var out = new float[texts.size()][];
        int[] tokens = new int[1];
        for (int i = 0; i < out.length; i++) {
            out[i] = run(List.of(texts.get(i)), tokens)[0];
        }
        return new Embeddings(out, tokens[0]);
    }

    /** One model call for these texts, padded to the longest. */
    private float[][] run(List<String> texts, int[] tokenCount) {
        var encodings = new Encoding[texts.size()];
        int longest = 1;
        for (int i = 0; i < encodings.length; i++) {
            encodings[i] = tokenizer.encode(texts.get(i));
            longest = Math.max(longest, encodings[i].getIds().length);
            tokenCount[0] += encodings[i].getIds().length;
        }
        int n = encodings.length;
        var ids = LongBuffer.allocate(n * longest);
        var mask = LongBuffer.allocate(n * longest);
        var types = LongBuffer.allocate(n * longest);
        for (var e : encodings) {
            var tokenIds = e.getIds();
            var attention = e.getAttentionMask();
            var typeIds = e.getTypeIds();
            for (int j = 0; j < longest; j++) {
                boolean real = j < tokenIds.length;
                ids.put(real ? tokenIds[j] : 0);
                mask.put(real ? attention[j] : 0);
                types.put(real ? typeIds[j] : 0);
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
            inputs.put("attention_mask", maskT);
            if (needsTokenTypes) {
                inputs.put("token_type_ids", typesT);
            }
            try (var result = session.run(inputs)) {
                var hidden = (float[][][]) result.get(0).getValue();
                return pool(hidden, encodings);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the embedding model failed: " + e.getMessage(), e);
        }
    }

    /** Mean of the real tokens' vectors, scaled to unit length. */
    private static float[][] pool(float[][][] hidden, Encoding[] encodings) {
        var out = new float[hidden.length][];
        for (int i = 0; i < hidden.length; i++) {
            int tokens = Math.max(1, encodings[i].getIds().length);
            int d = hidden[i][0].length;
            var v = new float[d];
            for (int t = 0; t < tokens; t++) {
                for (int k = 0; k < d; k++) {
                    v[k] += hidden[i][t][k];
                }
            }
            double norm = 0;
            for (int k = 0; k < d; k++) {
                v[k] /= tokens;
                norm += v[k] * v[k];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < d && norm > 0; k++) {
                v[k] /= (float) norm;
            }
            out[i] = v;
        }
        return out;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // closing
        }
        tokenizer.close();
    }
}
