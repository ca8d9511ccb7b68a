package io.spillway.core.engine;

/** The engine cannot take more work right now; the client should retry later. */
public class OverloadedException extends RuntimeException {
    public OverloadedException(String message) {
        super(message);
    }
}
