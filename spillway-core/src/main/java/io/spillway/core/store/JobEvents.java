package io.spillway.core.store;

import java.util.Collection;

/**
 * Wake-ups from a store that several processes share: another process inserted runnable jobs,
 * or changed jobs this process may be waiting on. Delivery is best effort (a lost connection
 * loses events), so the engine also polls; {@link Listener#reconnected()} says events may have
 * been missed.
 *
 * <p>{@link #start} is called once; listener methods are called from the events thread and must
 * be quick.
 */
public interface JobEvents extends AutoCloseable {

    /** Receives events. */
    interface Listener {
        /** Jobs became runnable (inserted, retried, rescued) somewhere. */
        void runnable();

        /** These jobs changed state somewhere (finished, cancelled, expired). */
        void changed(Collection<String> ids);

        /** The event stream was interrupted and is back: anything may have happened meanwhile. */
        void reconnected();
    }

    void start(Listener listener);

    @Override
    void close();
}
