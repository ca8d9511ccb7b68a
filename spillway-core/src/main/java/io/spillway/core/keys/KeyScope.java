package io.spillway.core.keys;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What a key may do. {@link #ADMIN} implies every other scope. */
public enum KeyScope {
    /** Create jobs (and documents), cancel and retry them. */
    SUBMIT,
    /** Read the tenant's jobs. */
    READ,
    /** Read /metrics, the queue signal and the dashboard's totals: every tenant's together, no job's content. */
    METRICS,
    /** Everything, for every tenant: reads and actions across tenants. */
    ADMIN;

    /** The scopes a key gets when none are named. */
    public static final Set<KeyScope> DEFAULT = Set.copyOf(EnumSet.of(SUBMIT, READ));

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The scope of a wire name, such as {@code submit}. */
    public static KeyScope fromWire(String name) {
        for (var s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + name + "'; scopes: "
                + Arrays.stream(values()).map(KeyScope::wireName).collect(Collectors.joining(", ")));
    }

    /** Scopes from their comma-separated wire names ({@code submit,read}). */
    public static Set<KeyScope> parseList(String text) {
        var scopes = EnumSet.noneOf(KeyScope.class);
        for (var part : text.split(",", -1)) {
            scopes.add(fromWire(part.strip().toLowerCase(Locale.ROOT)));
        }
        return Set.copyOf(scopes);
    }

    /** The comma-separated wire names, in declaration order. */
    public static String format(Set<KeyScope> scopes) {
        return EnumSet.copyOf(scopes).stream().map(KeyScope::wireName).collect(Collectors.joining(","));
    }
}
