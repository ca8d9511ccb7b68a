package io.spillway.server.config;

import io.spillway.core.Priority;
import io.spillway.core.store.Budget;
import io.spillway.store.postgres.PostgresStoreConfig;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Value parsers for {@link Setting}s. Each throws {@link IllegalArgumentException} saying what is wrong. */
final class Parsers {
    private Parsers() {
    }

    static Function<String, Integer> intIn(int min, int max) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a whole number");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(v + " is out of range [" + min + ", " + max + "]");
            }
            return v;
        };
    }

    /** Bytes: a whole number with an optional unit KiB, MiB or GiB (also KB/MB/GB as powers of 1024). */
    static Function<String, Long> bytesIn(long min, long max) {
        return s -> {
            var t = s.strip().toUpperCase(Locale.ROOT).replace(" ", "");
            long mult = 1;
            for (var unit : new String[][] {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"},
                    {"KB", "1024"}, {"MB", "1048576"}, {"GB", "1073741824"}, {"K", "1024"}, {"M", "1048576"}, {"G", "1073741824"}, {"B", "1"}}) {
                if (t.endsWith(unit[0])) {
                    mult = Long.parseLong(unit[1]);
                    t = t.substring(0, t.length() - unit[0].length());
                    break;
                }
            }
            long v;
            try {
                v = Math.multiplyExact(Long.parseLong(t), mult);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("'" + s + "' is not a size (examples: 1048576, 512KiB, 1MiB)");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(s + " is out of range [" + min + ", " + max + "] bytes");
            }
            return v;
        };
    }

    /** Seconds as a whole or decimal number, or an ISO-8601 duration such as PT30S. */
    static Function<String, Duration> secondsIn(double min, double max) {
        return s -> {
            var t = s.strip();
            Duration d;
            try {
                d = t.toUpperCase(Locale.ROOT).startsWith("P") ? Duration.parse(t)
                        : Duration.ofNanos(Math.round(Double.parseDouble(t) * 1e9));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'" + s + "' is not a number of seconds");
            }
            double secs = d.toNanos() / 1e9;
            if (Double.isNaN(secs) || secs < min || secs > max) {
                throw new IllegalArgumentException(s + " is out of range [" + fmt(min) + ", " + fmt(max) + "] seconds");
            }
            return d;
        };
    }

    static Function<String, Double> numberIn(double min, double max) {
        return v -> {
            double d;
            try {
                d = Double.parseDouble(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number, got '" + v + "'");
            }
            if (!(d >= min && d <= max)) {
                throw new IllegalArgumentException("expected a number from " + min + " to " + max + ", got " + v);
            }
            return d;
        };
    }

    static Function<String, Boolean> bool() {
        return s -> switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
        };
    }

    static Function<String, Path> path() {
        return s -> {
            if (s.isBlank()) {
                throw new IllegalArgumentException("the path is empty");
            }
            try {
                return Path.of(s.strip());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("'" + s + "' is not a valid path: " + e.getReason());
            }
        };
    }

    /** A path that is a directory or does not exist yet (it is created when needed). */
    /** Comma-separated origins ({@code scheme://host[:port]}, http or https, no path), lower case; {@code none}: none. */
    static Function<String, List<String>> origins() {
        return v -> {
            var out = new ArrayList<String>();
            if (v.strip().equals("none")) {
                return out;
            }
            for (var part : v.split(",")) {
                var t = part.strip().toLowerCase(Locale.ROOT);
                if (t.endsWith("/")) {
                    t = t.substring(0, t.length() - 1);
                }
                if (!t.matches("https?://[a-z0-9.-]+(:[0-9]{1,5})?|https?://\\[[0-9a-f:.]+\\](:[0-9]{1,5})?")) {
                    throw new IllegalArgumentException("'" + part.strip() + "' is not an origin such as https://app.example.com "
                            + "(scheme, host and port only)");
                }
                out.add(t);
            }
            return out;
        };
    }

    /** Text that is a secret (checked where it is used, never echoed), or {@code none}: null. */
    static Function<String, String> optionalSecretText() {
        return v -> v.strip().equals("none") ? null : v;
    }

    /** A path, or {@code none}: null. */
    static Function<String, Path> optionalPath() {
        var paths = path();
        return v -> v.strip().equals("none") ? null : paths.apply(v);
    }

    static Function<String, Path> directory() {
        var path = path();
        return s -> {
            var p = path.apply(s);
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new IllegalArgumentException(p + " is not a directory");
            }
            return p;
        };
    }

    static Function<String, String> host() {
        return s -> {
            var t = s.strip();
            if (t.isEmpty() || !t.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
                throw new IllegalArgumentException("'" + s + "' is not a host name or address");
            }
            return t;
        };
    }

    /** {@code sqlite}, or a PostgreSQL URL the PostgreSQL store can parse. */
    static Function<String, String> storeUrl() {
        return s -> {
            var t = s.strip();
            if (t.equals("sqlite")) {
                return t;
            }
            PostgresStoreConfig.parse(t, "spillway", 1);
            return t;
        };
    }

    static Function<String, String> identifier() {
        return s -> {
            var t = s.strip();
            if (!t.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("'" + s + "' is not a lower-case SQL identifier");
            }
            return t;
        };
    }

    /** Comma-separated host names or addresses, lower case; {@code auto}: an empty list (decided from the address). */
    static Function<String, List<String>> hostNames() {
        return v -> {
            var out = new ArrayList<String>();
            if (v.strip().equals("auto")) {
                return out;
            }
            for (var part : v.split(",")) {
                var t = part.strip().toLowerCase(Locale.ROOT);
                if (t.isEmpty()) {
                    continue;
                }
                if (!t.matches("\\*|[a-z0-9.:\\[\\]_-]+")) {
                    throw new IllegalArgumentException("'" + part.strip() + "' is not a host name or address");
                }
                out.add(t);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("expected host names separated by commas, or auto");
            }
            return out;
        };
    }

    /**
     * A secret of at least {@code minLength} printable characters, without spaces; {@code none}:
     * null (no secret). The value is never echoed in an error.
     */
    static Function<String, String> secret(int minLength) {
        return v -> {
            var t = v.strip();
            if (t.equals("none")) {
                return null;
            }
            if (t.length() < minLength || !t.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException("expected at least " + minLength
                        + " printable characters without spaces (a random token), or none");
            }
            return t;
        };
    }

    /** {@code name=weight,...} (weights from 1 to max); empty or {@code none}: none named. */
    static Function<String, Map<String, Integer>> weights(int max) {
        return v -> {
            var out = new LinkedHashMap<String, Integer>();
            if (v.strip().equals("none")) {
                return out;
            }
            for (var entry : entries(v, "tenant=weight")) {
                out.put(entry.getKey(), intIn(1, max).apply(entry.getValue()));
            }
            return out;
        };
    }

    /**
     * Budgets per tenant: {@code acme=5/day,free=0.5/day,*=100/month} ({@code *}: every tenant not
     * named); {@code none}: no budgets. Amounts in price units, from 0 to a billion.
     */
    static Function<String, Map<String, Budget>> budgets() {
        return v -> {
            var out = new LinkedHashMap<String, Budget>();
            if (v.strip().equals("none")) {
                return out;
            }
            for (var entry : entries(v, "tenant=amount/day or tenant=amount/month")) {
                var amount = entry.getValue();
                int slash = amount.indexOf('/');
                var period = slash < 0 ? "" : amount.substring(slash + 1).strip();
                if (!period.equals("day") && !period.equals("month")) {
                    throw new IllegalArgumentException("the budget of '" + entry.getKey() + "' must say per day or per month ("
                            + entry.getKey() + "=5/day), got '" + amount + "'");
                }
                out.put(entry.getKey(), new Budget(Budget.nanos(numberIn(0, 1e9).apply(amount.substring(0, slash))),
                        period.equals("day") ? Budget.Period.DAY : Budget.Period.MONTH));
            }
            return out;
        };
    }

    /**
     * Seconds per priority: {@code batch=600,standard=120}, or one number for every priority;
     * empty or {@code off}: none.
     */
    static Function<String, Map<Priority, Duration>> secondsPerPriority(double min, double max) {
        return v -> {
            var out = new EnumMap<Priority, Duration>(Priority.class);
            var t = v.strip();
            if (t.isEmpty() || t.equals("off")) {
                return out;
            }
            if (!t.contains("=")) {
                var d = secondsIn(min, max).apply(t);
                for (var p : Priority.values()) {
                    out.put(p, d);
                }
                return out;
            }
            for (var entry : entries(t, "priority=seconds")) {
                out.put(Priority.fromWire(entry.getKey()), secondsIn(min, max).apply(entry.getValue()));
            }
            return out;
        };
    }

    /** Comma-separated {@code key=value} pairs, each key once. */
    private static List<Map.Entry<String, String>> entries(String v, String shape) {
        var out = new ArrayList<Map.Entry<String, String>>();
        var seen = new HashSet<String>();
        for (var part : v.split(",")) {
            var t = part.strip();
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw new IllegalArgumentException("expected " + shape + " pairs separated by commas, got '" + t + "'");
            }
            var key = t.substring(0, eq).strip();
            if (!seen.add(key)) {
                throw new IllegalArgumentException("'" + key + "' is named twice");
            }
            out.add(Map.entry(key, t.substring(eq + 1).strip()));
        }
        return out;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
