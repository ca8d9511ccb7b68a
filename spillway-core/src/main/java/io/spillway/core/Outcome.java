package io.spillway.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a task handler says happened to one job. The engine turns it into one store transition
 * (see {@link Lifecycle#transitionFor}).
 */
public sealed interface Outcome {

    /** The job succeeded; {@code resultJson} is stored as its result. */
    record Completed(String resultJson) implements Outcome {
        public Completed {
            Objects.requireNonNull(resultJson, "resultJson");
        }
    }

    /**
     * The attempt failed but another may succeed. {@code delay} overrides the backoff when not
     * null (a provider's Retry-After, say). After the last attempt the job fails with {@code error}.
     */
    record Retry(Duration delay, String error) implements Outcome {
        public Retry {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * The job was not run and should wait: what it needs cannot be called now (its model's circuit
     * is open, the provider asked for a pause). It is pending again after {@code delay} and the
     * attempt is given back, since nothing was tried; {@code reason} says what it waits for.
     */
    record Postponed(Duration delay, String reason) implements Outcome {
        public Postponed {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(reason, "reason");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, was " + delay);
            }
        }
    }

    /** The job cannot succeed (bad input found late, say): fail now without retrying. */
    record Failed(String error) implements Outcome {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }

    /** The handler gave the job up on purpose. */
    record Cancelled(String reason) implements Outcome {
        public Cancelled {
            Objects.requireNonNull(reason, "reason");
        }
    }

    static Outcome completed(String resultJson) {
        return new Completed(resultJson);
    }

    static Outcome retry(String error) {
        return new Retry(null, error);
    }

    static Outcome postponed(Duration delay, String reason) {
        return new Postponed(delay, reason);
    }

    static Outcome failed(String error) {
        return new Failed(error);
    }
}
