package io.spillway.server.http;

import java.util.regex.Pattern;

/**
 * The W3C Trace Context {@code traceparent} header ({@code 00-<trace id>-<parent id>-<flags>}).
 * An invalid value is ignored, as the specification asks, rather than refused.
 */
final class Traceparent {
    private static final Pattern FORMAT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

    private Traceparent() {
    }

    /** The header when it is a valid version-00 traceparent with non-zero ids, else null. */
    static String valid(String header) {
        if (header == null) {
            return null;
        }
        var value = header.strip();
        var m = FORMAT.matcher(value);
        if (!m.matches() || m.group(1).chars().allMatch(c -> c == '0') || m.group(2).chars().allMatch(c -> c == '0')) {
            return null;
        }
        return value;
    }

    /** The trace id of a valid traceparent. */
    static String traceId(String traceparent) {
        return traceparent.substring(3, 35);
    }
}
