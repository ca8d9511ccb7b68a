package io.spillway.core;

import java.util.Locale;

/** Priority class of a job; lower {@link #rank()} runs first. */
public enum Priority {
    INTERACTIVE(0),
    STANDARD(1),
    BATCH(2);

    private final int rank;
    private final String wireName = name().toLowerCase(Locale.ROOT);

    Priority(int rank) {
        this.rank = rank;
    }

    /** Sort key: 0 runs before 1 runs before 2. */
    public int rank() {
        return rank;
    }

    public String wireName() {
        return wireName;
    }

    public static Priority fromRank(int rank) {
        return switch (rank) {
            case 0 -> INTERACTIVE;
            case 1 -> STANDARD;
            case 2 -> BATCH;
            default -> throw new IllegalArgumentException("unknown priority rank " + rank);
        };
    }

    /**
     * Parses a wire name.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is not one
     */
    public static Priority fromWire(String name) {
        for (Priority p : values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown priority '" + name
                + "'; expected one of interactive, standard, batch");
    }
}
