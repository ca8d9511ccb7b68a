package io.spillway.onnx;

/** The model repository holds a model that cannot be used; the message names the file and the fix. */
public final class ModelRepositoryException extends RuntimeException {
    public ModelRepositoryException(String message) {
        super(message);
    }

    public ModelRepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
