package io.spillway.server.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A scrape in the Prometheus text format, read the way {@code promtool check metrics} lints it:
 * each family's {@code # TYPE} and {@code # HELP}, and the samples under it.
 */
final class Exposition {
    private final Map<String, String> types = new LinkedHashMap<>();
    private final Map<String, String> help = new LinkedHashMap<>();
    private final List<String> samples = new ArrayList<>();

    Exposition(String scrape) {
        for (var line : scrape.lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                var parts = line.substring(7).split(" ", 2);
                types.put(parts[0], parts.length > 1 ? parts[1].strip() : "");
            } else if (line.startsWith("# HELP ")) {
                var parts = line.substring(7).split(" ", 2);
                help.put(parts[0], parts.length > 1 ? parts[1].strip() : "");
            } else if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(line);
            }
        }
    }

    /** What {@code promtool check metrics} would object to, one line per problem; empty when clean. */
    List<String> lintProblems() {
        var problems = new ArrayList<String>();
        types.forEach((family, type) -> {
            if (help.getOrDefault(family, "").isEmpty()) {
                problems.add(family + ": no help text");
            }
            boolean distribution = type.equals("histogram") || type.equals("summary");
            if (type.equals("counter") != family.endsWith("_total")) {
                problems.add(family + ": a " + type + (type.equals("counter") ? " without" : " with") + " the _total suffix");
            }
            if (!distribution && (family.endsWith("_count") || family.endsWith("_sum") || family.endsWith("_bucket"))) {
                problems.add(family + ": a " + type + " with a histogram or summary suffix");
            }
            for (var abbreviation : List.of("_ns_", "_ms_", "_us_")) {
                if ((family + "_").contains(abbreviation)) {
                    problems.add(family + ": an abbreviated unit");
                }
            }
        });
        return problems;
    }

    /** Every family with a {@code # TYPE} line, in the order of the scrape. */
    List<String> families() {
        return List.copyOf(types.keySet());
    }

    /** The type a {@code # TYPE} line gives the family, or null. */
    String type(String family) {
        return types.get(family);
    }

    /** For each series of a histogram (its labels without {@code le}), how many buckets it has. */
    Map<String, Integer> bucketsPerSeries(String histogram) {
        var out = new TreeMap<String, Integer>();
        for (var sample : samples) {
            if (sample.startsWith(histogram + "_bucket{")) {
                var labels = sample.substring(sample.indexOf('{'), sample.lastIndexOf('}') + 1)
                        .replaceAll(",?le=\"[^\"]*\"", "");
                out.merge(labels, 1, Integer::sum);
            }
        }
        return out;
    }
}
