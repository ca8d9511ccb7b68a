package io.spillway.core.engine;

/** The engine is shutting down and takes no new work. */
public class EngineClosedException extends RuntimeException {
    public EngineClosedException(String message) {
        super(message);
    }
}
