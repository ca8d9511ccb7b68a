package io.spillway.core;

import java.util.Locale;

/**
 * Where a job is in its lifecycle. Each constant says who moves a job out of it.
 *
 * <p>The wire name (lower case) is what the HTTP API and the store use.
 */
public enum JobState {
    /** Waiting to run (new, or retrying after backoff). Left by the dispatcher (claim), a cancel, or expiry. */
    PENDING,
    /** Claimed by a worker under a lease. Left by the worker's outcome, or by lease-expiry rescue. */
    PROCESSING,
    /** Terminal: the result is recorded. */
    COMPLETED,
    /** Terminal: the last attempt failed, or the job could not run; the error is recorded. */
    FAILED,
    /** Terminal: cancelled by a client before it ran, or by its handler. */
    CANCELLED,
    /** Terminal: its deadline passed before it started. */
    EXPIRED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Lower-case name used on the wire and in the store. */
    public String wireName() {
        return wireName;
    }

    /** True when no transition leaves this state. */
    public boolean isTerminal() {
        return switch (this) {
            case PENDING, PROCESSING -> false;
            case COMPLETED, FAILED, CANCELLED, EXPIRED -> true;
        };
    }

    /**
     * Parses a wire name.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is not one
     */
    public static JobState fromWire(String name) {
        for (JobState s : values()) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown status '" + name
                + "'; expected one of pending, processing, completed, failed, cancelled, expired");
    }
}
