package io.spillway.llm;

import dev.langchain4j.exception.HttpException;
import java.time.Duration;

/** A provider answered with an error status; carries its {@code Retry-After}, when it sent one. */
public final class ProviderHttpException extends HttpException {
    private final Duration retryAfter;

    public ProviderHttpException(int status, String body, Duration retryAfter) {
        super(status, body);
        this.retryAfter = retryAfter;
    }

    /** The provider's Retry-After, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
