package io.spillway.llm;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Per provider model: after {@code threshold} consecutive failed calls it opens for
 * {@code openFor}, failing calls at once; then one trial call is let through (half open), and
 * its success closes it again.
 */
final class CircuitBreaker {
    private final int threshold;
    private final Duration openFor;
    private final InstantSource clock;
    private int failures;
    private Instant openUntil = Instant.MIN;
    private boolean trialRunning;

    CircuitBreaker(int threshold, Duration openFor, InstantSource clock) {
        this.threshold = threshold;
        this.openFor = openFor;
        this.clock = clock;
    }

    /** Null when a call may go ahead; else how long until it may. */
    synchronized Duration refusal() {
        var now = clock.instant();
        if (failures < threshold) {
            return null;
        }
        if (now.isBefore(openUntil)) {
            return Duration.between(now, openUntil);
        }
        if (trialRunning) {
            return Duration.ofSeconds(1);
        }
        trialRunning = true;
        return null;
    }

    synchronized void succeeded() {
        failures = 0;
        trialRunning = false;
    }

    synchronized void failed() {
        failures++;
        trialRunning = false;
        if (failures >= threshold) {
            openUntil = clock.instant().plus(openFor);
        }
    }

    /** How long it stays open from now, or null when it is not open. */
    synchronized Duration openFor() {
        var now = clock.instant();
        return failures >= threshold && now.isBefore(openUntil) ? Duration.between(now, openUntil) : null;
    }

    synchronized boolean isOpen() {
        return failures >= threshold && clock.instant().isBefore(openUntil);
    }
}
