package io.spillway.server.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Reads what is left of a request body, up to {@code limit} bytes, before the answer's first
 * bytes go out. Clients that stream their body (Node's fetch, the OpenAI SDK) send it without
 * waiting; a route that answers without reading it (an unknown route, a cancel of an unknown
 * job, an early 4xx) used to make Jetty close the connection with the body unread, which the
 * client sees as a reset instead of the answer. Drained, the exchange ends normally and the
 * connection is reused. Bodies beyond the limit, answers that close the connection anyway and
 * requests that wait for {@code 100 Continue} are left alone. The draining is asynchronous: it
 * holds no thread while the client sends.
 *
 * <p>Implementation notes: Jetty's servlet layer, when its handler returns, consumes what has
 * arrived of an unread body and otherwise marks the connection for closing, before the answer is
 * written; the request wrapper defers that ({@code consumeAvailable} reports done), and the
 * response wrapper drains before its first write. Jetty's own check when the exchange completes
 * still closes a connection whose body was not drained (one over the limit).
 */
final class BodyDrain extends Handler.Wrapper {
    private final long limit;

    BodyDrain(long limit) {
        this.limit = limit;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        var headers = request.getHeaders();
        boolean body = headers.getLongField(HttpHeader.CONTENT_LENGTH) > 0 || headers.contains(HttpHeader.TRANSFER_ENCODING);
        if (!body || headers.contains(HttpHeader.EXPECT)) {
            return super.handle(request, response, callback);
        }
        // the servlet layer gives up on an unread body when its handler returns; the answer drains it instead
        var deferring = new Request.Wrapper(request) {
            @Override
            public boolean consumeAvailable() {
                return true;
            }
        };
        return super.handle(deferring, new Response.Wrapper(deferring, response) {
            private boolean drained; // writes come one at a time

            @Override
            public void write(boolean last, ByteBuffer content, Callback written) {
                if (drained || isCommitted() || closes(this)) {
                    super.write(last, content, written);
                    return;
                }
                drained = true;
                drain(request, 0, () -> super.write(last, content, written));
            }
        }, callback);
    }

    private static boolean closes(Response response) {
        return response.getHeaders().contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }

    /** Reads and drops the rest of the body, then runs {@code then}; waits for data without a thread. */
    private void drain(Request request, long read, Runnable then) {
        long total = read;
        while (true) {
            var chunk = request.read();
            if (chunk == null) {
                long sofar = total;
                request.demand(() -> drain(request, sofar, then));
                return;
            }
            boolean end = chunk.isLast() || Content.Chunk.isFailure(chunk);
            total += chunk.remaining();
            chunk.release();
            if (end || total > limit) {
                then.run();
                return;
            }
        }
    }
}
