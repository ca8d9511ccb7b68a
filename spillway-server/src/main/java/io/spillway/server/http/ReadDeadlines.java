package io.spillway.server.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the time a client may take to send a request, so slow clients (a byte every few
 * seconds, which Jetty's idle timeout never sees) cannot hold connections indefinitely: a
 * connection must present a request's complete headers within {@code timeout} of opening or of
 * its previous answer, and once the timeout has passed the body must have arrived at
 * {@code minBytesPerSecond} on average since the headers. A connection that falls behind is
 * closed. A request whose body is read is not timed while it is handled (long polls wait as
 * long as they ask). Thread-safe; Jetty's threads call it.
 *
 * <p>Implementation notes: every connection has a {@link Tracker}, created when the connection
 * opens and dropped when it closes. Its phase moves headers → body (when the handler starts on
 * a request with a body) → handling (when the body's last byte is read, or at once without a
 * body) → headers (when the exchange completes). Reads and completion are seen through an
 * {@link HttpStream.Wrapper}, below every request wrapper, so bytes the servlet layer drains are
 * counted too. A sweep on Jetty's scheduler checks every tracker each {@code tick}.
 */
final class ReadDeadlines extends AbstractLifeCycle implements Connection.Listener {
    private static final Logger log = LoggerFactory.getLogger(ReadDeadlines.class);

    private enum Phase { HEADERS, BODY, HANDLING }

    /** Where one connection is; written by its request's thread, read by the sweep. */
    private static final class Tracker {
        volatile Phase phase = Phase.HEADERS;
        volatile long since = System.nanoTime();
        volatile long bytes;
        volatile long expected = -1;

        void phase(Phase p) {
            since = System.nanoTime();
            bytes = 0;
            phase = p;
        }
    }

    private final long timeoutNanos;
    private final long minBytesPerSecond;
    private final Scheduler scheduler;
    private final long tickNanos;
    private final Map<Connection, Tracker> trackers = new ConcurrentHashMap<>();
    private volatile Scheduler.Task sweep;

    /**
     * @param minBytesPerSecond 0: only the headers are timed
     * @param scheduler         runs the sweep (the server's)
     */
    ReadDeadlines(Duration timeout, long minBytesPerSecond, Scheduler scheduler) {
        this.timeoutNanos = timeout.toNanos();
        this.minBytesPerSecond = minBytesPerSecond;
        this.scheduler = scheduler;
        this.tickNanos = Math.clamp(timeoutNanos / 4, 10_000_000L, 1_000_000_000L);
    }

    /** The handler to put in front of the application: it sees each request's body and completion. */
    Handler.Wrapper handler() {
        return new Handler.Wrapper() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                var tracker = trackers.get(request.getConnectionMetaData().getConnection());
                if (tracker != null) {
                    track(request, tracker);
                }
                return super.handle(request, response, callback);
            }
        };
    }

    private void track(Request request, Tracker tracker) {
        long length = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        boolean body = length > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        tracker.expected = length;
        tracker.phase(body ? Phase.BODY : Phase.HANDLING);
        request.addHttpStreamWrapper(stream -> new HttpStream.Wrapper(stream) {
            @Override
            public Content.Chunk read() {
                var chunk = super.read();
                if (chunk != null && tracker.phase == Phase.BODY) {
                    tracker.bytes += chunk.remaining();
                    if (chunk.isLast() || (tracker.expected >= 0 && tracker.bytes >= tracker.expected)) {
                        tracker.phase(Phase.HANDLING);
                    }
                }
                return chunk;
            }

            @Override
            public void succeeded() {
                tracker.phase(Phase.HEADERS);
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                tracker.phase(Phase.HEADERS);
                super.failed(x);
            }
        });
    }

    @Override
    public void onOpened(Connection connection) {
        trackers.put(connection, new Tracker());
    }

    @Override
    public void onClosed(Connection connection) {
        trackers.remove(connection);
    }

    @Override
    protected void doStart() {
        sweep = scheduler.schedule(this::sweep, tickNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    protected void doStop() {
        var task = sweep;
        if (task != null) {
            task.cancel();
        }
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            trackers.forEach((connection, tracker) -> {
                var reason = overdue(tracker, now);
                if (reason != null) {
                    log.debug("closing {}: {}", connection.getEndPoint().getRemoteSocketAddress(), reason);
                    trackers.remove(connection);
                    connection.getEndPoint().close();
                }
            });
        } finally {
            if (isRunning()) {
                sweep = scheduler.schedule(this::sweep, tickNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Why the connection is overdue, or null when it is in time. */
    private String overdue(Tracker tracker, long now) {
        long elapsed = now - tracker.since;
        return switch (tracker.phase) {
            case HEADERS -> elapsed > timeoutNanos ? "request headers not complete within the read timeout" : null;
            case BODY -> minBytesPerSecond > 0 && elapsed > timeoutNanos
                    && tracker.bytes < minBytesPerSecond * (elapsed / 1_000_000_000.0)
                    ? "request body slower than the minimum rate (" + tracker.bytes + " bytes in "
                    + elapsed / 1_000_000 + " ms)" : null;
            case HANDLING -> null;
        };
    }
}
