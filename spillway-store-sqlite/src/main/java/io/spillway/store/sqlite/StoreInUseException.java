package io.spillway.store.sqlite;

import io.spillway.core.store.StoreException;

/** The SQLite store is held by another Spillway process (a server running on the same data directory). */
public final class StoreInUseException extends StoreException {
    StoreInUseException(String message) {
        super(message);
    }
}
