package io.spillway.documents;

import java.time.Duration;

/**
 * Limits on one extraction. Together they bound what a document can cost, whatever it holds:
 * the file's size, the text kept, the time, and how far a zip-based document (docx, xlsx,
 * pptx) may expand.
 *
 * @param maxBytes     largest document read
 * @param maxChars     most text kept; the rest is cut and the result says {@code truncated}
 * @param timeout      longest a parse may take; then the parse is stopped and the job fails with that reason
 * @param maxPartBytes largest size one part of a zip-based document may expand to (its
 *                     {@code word/document.xml}, a sheet, a slide); a part beyond it, or one that
 *                     expands more than {@link #MAX_EXPANSION} times, refuses the document as a zip bomb
 */
public record ExtractLimits(long maxBytes, int maxChars, Duration timeout, long maxPartBytes) {
    /** How many times its compressed size a part of a zip-based document may expand to (POI's inflate-ratio guard). */
    public static final int MAX_EXPANSION = 500;
    public static final long DEFAULT_MAX_PART_BYTES = 128L << 20;
    public static final ExtractLimits DEFAULTS = new ExtractLimits(50L << 20, 1_000_000, Duration.ofSeconds(60),
            DEFAULT_MAX_PART_BYTES);

    public ExtractLimits {
        if (maxBytes < 1 || maxChars < 1 || timeout.isNegative() || timeout.isZero() || maxPartBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
