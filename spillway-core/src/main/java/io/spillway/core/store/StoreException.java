package io.spillway.core.store;

/** The store could not do what was asked (unreachable, corrupt, full). Unchecked; carries the cause. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
