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

    static Outcome failed(String error) {
        return new Failed(error);
    }
}
