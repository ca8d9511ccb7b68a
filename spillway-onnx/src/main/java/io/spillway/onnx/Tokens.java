package io.spillway.onnx;

/** One text as a model reads it: token ids, attention mask and token types, all the same length. */
public record Tokens(long[] ids, long[] mask, long[] types) {
    public int length() {
        return ids.length;
    }
}
