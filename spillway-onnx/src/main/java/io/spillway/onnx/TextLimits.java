package io.spillway.onnx;

/**
 * Input limits of the text tasks.
 *
 * @param maxTextChars     longest text for embed, classify and sentiment (each of embed's texts)
 * @param maxDocumentChars longest text for summarize (and text a pipeline hands on)
 */
public record TextLimits(int maxTextChars, int maxDocumentChars) {
    public static final TextLimits DEFAULTS = new TextLimits(20_000, 1_000_000);

    public TextLimits {
        if (maxTextChars < 1 || maxDocumentChars < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
