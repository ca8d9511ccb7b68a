package io.spillway.store.sqlite;

import java.util.Locale;

/** How far a committed write survives. */
public enum Durability {
    /**
     * Survives the process being killed ({@code kill -9}, a crash): WAL with
     * {@code synchronous=NORMAL}. A power loss or OS crash may lose the last commits.
     */
    CRASH("NORMAL"),
    /** Every commit is fsynced and survives power loss too: WAL with {@code synchronous=FULL}. */
    FSYNC("FULL");

    private final String synchronous;

    Durability(String synchronous) {
        this.synchronous = synchronous;
    }

    String synchronous() {
        return synchronous;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code crash} or {@code fsync}. */
    public static Durability fromWire(String s) {
        for (var d : values()) {
            if (d.wireName().equals(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("expected crash or fsync, got '" + s + "'");
    }
}
