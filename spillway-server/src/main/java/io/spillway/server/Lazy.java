package io.spillway.server;

import java.util.function.Consumer;
import java.util.function.Supplier;

/** A value built on first use, once, and closed only if it was built. */
public final class Lazy<T> implements Supplier<T> {
    private final Supplier<T> factory;
    private volatile T value;

    public Lazy(Supplier<T> factory) {
        this.factory = factory;
    }

    @Override
    public T get() {
        var v = value;
        if (v == null) {
            synchronized (this) {
                if (value == null) {
                    value = factory.get();
                }
                v = value;
            }
        }
        return v;
    }

    /** Closes the value with {@code closer} if it was ever built. */
    public synchronized void close(Consumer<T> closer) {
        if (value != null) {
            closer.accept(value);
            value = null;
        }
    }
}
