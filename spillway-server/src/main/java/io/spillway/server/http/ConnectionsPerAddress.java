package io.spillway.server.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the connections one client address may hold open: a connection beyond the limit is
 * closed as soon as it opens, so one client cannot take every connection the server has while
 * others are served as usual. Behind a proxy every client has the proxy's address: raise the
 * limit or turn it off. Thread-safe; Jetty's threads call it.
 */
final class ConnectionsPerAddress implements Connection.Listener {
    private static final Logger log = LoggerFactory.getLogger(ConnectionsPerAddress.class);

    private static final long WARN_EVERY_NANOS = 60_000_000_000L;

    private final int limit;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    /** The address each counted connection was opened from (a closed endpoint no longer says). */
    private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();

    ConnectionsPerAddress(int limit) {
        this.limit = limit;
    }

    @Override
    public void onOpened(Connection connection) {
        if (!(connection.getEndPoint().getRemoteSocketAddress() instanceof InetSocketAddress remote)) {
            return;
        }
        counted.put(connection, remote.getAddress());
        int now = open.merge(remote.getAddress(), 1, Integer::sum);
        if (now > limit) {
            long last = lastWarning.get();
            if (System.nanoTime() - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, System.nanoTime())) {
                log.warn("{} holds {} connections, the most one address may (setting max_connections_per_address); "
                        + "closing its further ones (logged at most once a minute)", remote.getAddress().getHostAddress(), limit);
            }
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        var address = counted.remove(connection);
        if (address != null) {
            open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }
}
