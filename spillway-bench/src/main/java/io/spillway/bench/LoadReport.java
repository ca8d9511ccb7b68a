package io.spillway.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Results of one {@link LoadGenerator} run, as ordered {@code key=value} figures. Latencies in ms. */
public record LoadReport(Map<String, Object> figures) {

    /** One line of {@code key=value} pairs, for scripts. */
    public String line() {
        return figures.entrySet().stream().map(e -> e.getKey() + "=" + format(e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** Several lines for people. */
    public String summary() {
        var sb = new StringBuilder();
        figures.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-28s %s%n", k, format(v))));
        return sb.toString();
    }

    public double number(String key) {
        return ((Number) figures.get(key)).doubleValue();
    }

    static Builder builder() {
        return new Builder();
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, d >= 100 ? "%.1f" : "%.3f", d);
        }
        return String.valueOf(v);
    }

    static final class Builder {
        private final Map<String, Object> figures = new LinkedHashMap<>();

        Builder put(String key, Object value) {
            figures.put(key, value);
            return this;
        }

        LoadReport build() {
            return new LoadReport(new LinkedHashMap<>(figures));
        }
    }
}
