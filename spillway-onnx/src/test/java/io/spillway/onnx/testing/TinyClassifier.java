package io.spillway.onnx.testing;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a real, small text-classification model for tests, written as ONNX protobuf by hand (no
 * Python needed): a bag of words. {@code logits = ReduceSum(Gather(weights, input_ids), axis 1)},
 * where each token of the built-in tokenizer's vocabulary has one weight per label; chosen words
 * push their label up. It goes into a model repository directory with the built-in model's
 * tokenizer and a model.yaml, exactly as a user would lay out an exported HuggingFace model.
 */
public final class TinyClassifier {
    private static final int VOCAB = 30_522;

    private TinyClassifier() {
    }

    /**
     * Writes {@code repository/<name>/} with model.onnx, tokenizer.json and model.yaml.
     *
     * @param words for each label, in order, the words that vote for it
     */
    public static Path write(Path repository, String name, List<String> labels, List<List<String>> words, String extraYaml)
            throws IOException {
        var dir = Files.createDirectories(repository.resolve(name));
        byte[] tokenizer;
        try (InputStream in = Objects.requireNonNull(TinyClassifier.class.getResourceAsStream("/all-minilm-l6-v2-q-tokenizer.json"))) {
            tokenizer = in.readAllBytes();
        }
        Files.write(dir.resolve("tokenizer.json"), tokenizer);
        var weights = new float[VOCAB * labels.size()];
        try (var tok = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), Map.of("padding", "false"))) {
            for (int label = 0; label < labels.size(); label++) {
                for (String word : words.get(label)) {
                    var ids = tok.encode(word, false, false).getIds();
                    for (long id : ids) {
                        weights[(int) id * labels.size() + label] += 2.0f;
                    }
                }
            }
        }
        Files.write(dir.resolve("model.onnx"), model(weights, labels.size()));
        Files.writeString(dir.resolve("model.yaml"), "kind: text-classification\nlabels: ["
                + String.join(", ", labels) + "]\n" + extraYaml);
        return dir;
    }

    static byte[] model(float[] weights, int labels) {
        var table = new Proto()
                .ints(1, VOCAB).ints(1, labels)          // dims
                .varint(2, 1)                            // FLOAT
                .string(8, "weights")
                .bytes(9, littleEndian(weights));        // raw_data
        var gather = new Proto().string(1, "weights").string(1, "input_ids").string(2, "tokens")
                .string(3, "gather").string(4, "Gather");
        var reduce = new Proto().string(1, "tokens").string(2, "logits").string(3, "sum").string(4, "ReduceSum")
                .message(5, new Proto().string(1, "axes").ints(8, 1).varint(20, 7))      // INTS
                .message(5, new Proto().string(1, "keepdims").varint(3, 0).varint(20, 2)); // INT
        var graph = new Proto()
                .message(1, gather).message(1, reduce)
                .string(2, "tiny-classifier")
                .message(5, table)
                .message(11, valueInfo("input_ids", 7, "batch", "sequence"))
                .message(12, valueInfo("logits", 1, "batch", String.valueOf(labels)));
        return new Proto()
                .varint(1, 7)                                              // ir_version
                .string(2, "spillway-tests")
                .message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 11))       // opset 11
                .toBytes();
    }

    private static Proto valueInfo(String name, int elemType, String... dims) {
        var shape = new Proto();
        for (var d : dims) {
            shape.message(1, d.chars().allMatch(Character::isDigit) ? new Proto().varint(1, Long.parseLong(d))
                    : new Proto().string(2, d));
        }
        var tensor = new Proto().varint(1, elemType).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    private static byte[] littleEndian(float[] values) {
        var b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Just enough of the protobuf wire format. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            key(field, 0);
            raw(value);
            return this;
        }

        Proto ints(int field, long value) {
            return varint(field, value);
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.toBytes());
        }

        Proto bytes(int field, byte[] b) {
            key(field, 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        private void key(int field, int wireType) {
            raw(((long) field << 3) | wireType);
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /** As {@link #write}, without I/O exceptions in test set-up code. */
    public static Path writeUnchecked(Path repository, String name, List<String> labels, List<List<String>> words) {
        try {
            return write(repository, name, labels, words, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
