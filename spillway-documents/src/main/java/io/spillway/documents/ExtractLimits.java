package io.spillway.documents;

import java.time.Duration;

/**
 * Limits on one extraction.
 *
 * @param maxBytes largest document read
 * @param maxChars most text kept; the rest is cut and the result says {@code truncated}
 * @param timeout  longest a parse may take; then the job fails with that reason
 */
public record ExtractLimits(long maxBytes, int maxChars, Duration timeout) {
    public static final ExtractLimits DEFAULTS = new ExtractLimits(50L << 20, 1_000_000, Duration.ofSeconds(60));

    public ExtractLimits {
        if (maxBytes < 1 || maxChars < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
