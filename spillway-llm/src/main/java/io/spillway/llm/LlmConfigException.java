package io.spillway.llm;

/** A remote model's configuration cannot be used; the message names the file or variable. */
public final class LlmConfigException extends RuntimeException {
    public LlmConfigException(String message) {
        super(message);
    }
}
