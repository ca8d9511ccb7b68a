package io.spillway.server.http;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.server.handler.EagerContentHandler.ContentLoader;
import org.eclipse.jetty.server.handler.EagerContentHandler.ContentLoaderFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Reads a request's whole body without a thread before the route runs, so the routes (which
 * read blocking) never wait on a client: a client that sends slowly holds no request thread, and
 * request threads stay platform threads. Uploads to the upload route are parsed by Jetty's
 * multipart parser (parts over 1 MiB to files), up to the upload limit, and the servlet layer uses
 * the parsed parts; every other body is copied into one buffer, up to {@code max_body_bytes} (a
 * multipart body sent elsewhere too: its route refuses it, and the connection stays usable). A body announced larger than its
 * limit is not read here: the route refuses it at once from its {@code Content-Length}. A body
 * that turns out larger (chunked) is handed on with what was read, and the route reads the rest.
 *
 * <p>Implementation notes: Jetty's {@link EagerContentHandler} drives the loaders; its own loader
 * for arbitrary bodies retains the network buffers, which a client sending a byte per packet
 * would turn into one buffer per byte, so this one copies and releases every chunk.
 */
final class EagerBodies {
    /** Parts at most this large stay in memory; larger ones go to files. */
    static final long MAX_MEMORY_PART = 1024 * 1024;
    /** Parts a multipart body may have (the servlet layer's default). */
    static final int MAX_PARTS = 1000;

    private EagerBodies() {
    }

    /**
     * @param maxBody      largest body copied into memory
     * @param upload       the route that takes multipart uploads; elsewhere a multipart body is copied like any other
     * @param maxUpload    largest multipart body parsed
     * @param maxUploadPart largest part of it
     * @param uploads      where parts too large for memory are written
     */
    static Handler.Wrapper handler(long maxBody, Route upload, long maxUpload, long maxUploadPart, Path uploads) {
        var multipart = new MultiPartConfig.Builder().location(uploads).maxParts(MAX_PARTS).maxSize(maxUpload)
                .maxPartSize(maxUploadPart).maxMemoryPartSize(MAX_MEMORY_PART).build();
        var parsing = new EagerContentHandler.MultiPartContentLoaderFactory(multipart);
        var copying = new Copying(maxBody);
        return new EagerContentHandler(new ContentLoaderFactory() {
            @Override
            public String getApplicableMimeType() {
                return parsing.getApplicableMimeType();
            }

            @Override
            public ContentLoader newContentLoader(String contentType, String mimeType, Handler handler, Request request,
                    Response response, Callback callback) {
                boolean uploading = request.getMethod().equals(upload.method())
                        && request.getHttpURI().getPath().equals(upload.path());
                return uploading
                        ? announcedWithin(maxUpload, request) ? parsing.newContentLoader(contentType, mimeType, handler, request, response, callback) : null
                        : copying.newContentLoader(contentType, mimeType, handler, request, response, callback);
            }
        }, copying);
    }

    /** Whether the request's body is not announced larger than {@code limit}; a larger one is refused by its route. */
    private static boolean announcedWithin(long limit, Request request) {
        return request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) <= limit;
    }

    /** Copies any body of up to {@code limit} bytes. */
    private record Copying(long limit) implements ContentLoaderFactory {
        @Override
        public String getApplicableMimeType() {
            return null;
        }

        @Override
        public ContentLoader newContentLoader(String contentType, String mimeType, Handler handler, Request request,
                Response response, Callback callback) {
            return announcedWithin(limit, request) ? new CopyingLoader(handler, request, response, callback, limit) : null;
        }
    }

    /** Reads chunks as they arrive (on Jetty's I/O thread), then hands the request on with the copy. */
    private static final class CopyingLoader extends ContentLoader implements Invocable.Task {
        private final long limit;
        private byte[] bytes;
        private int size;

        CopyingLoader(Handler handler, Request request, Response response, Callback callback, long limit) {
            super(handler, request, response, callback);
            this.limit = limit;
            long announced = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
            this.bytes = new byte[(int) Math.clamp(announced, 256, Math.max(256, Math.min(limit, 64 * 1024)))];
        }

        @Override
        protected void load() {
            read(false);
        }

        @Override
        public void run() {
            read(true);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        private void read(boolean dispatch) {
            while (true) {
                var chunk = getRequest().read();
                if (chunk == null) {
                    getRequest().demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    handOn(dispatch, chunk);
                    return;
                }
                append(chunk.getByteBuffer());
                boolean last = chunk.isLast();
                chunk.release();
                if (last || size > limit) {
                    handOn(dispatch, last ? Content.Chunk.EOF : null);
                    return;
                }
            }
        }

        private void append(ByteBuffer buffer) {
            int n = buffer.remaining();
            if (size + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(bytes.length * 2L, (long) size + n)));
            }
            buffer.get(bytes, size, n);
            size += n;
        }

        /** Runs the next handler with the copy, then {@code after} (see {@link Replay}). */
        private void handOn(boolean dispatch, Content.Chunk after) {
            var copy = new Replay(getRequest(), Content.Chunk.from(ByteBuffer.wrap(bytes, 0, size), after == Content.Chunk.EOF), after);
            if (dispatch) {
                getRequest().getContext().execute(() -> handle(copy, getResponse(), getCallback()));
            } else {
                handle(copy, getResponse(), getCallback());
            }
        }
    }

    /** The request, its body read from the copy first, then (when the copy was not all of it) from the connection. */
    private static final class Replay extends Request.Wrapper {
        private Content.Chunk copy;
        /** What follows the copy: {@link Content.Chunk#EOF} (the copy is the whole body), a failure, or null: the connection. */
        private final Content.Chunk after;

        Replay(Request request, Content.Chunk copy, Content.Chunk after) {
            super(request);
            this.copy = copy;
            this.after = after;
        }

        @Override
        public Content.Chunk read() {
            if (copy != null) {
                var c = copy;
                copy = null;
                return c;
            }
            return after != null ? after : super.read();
        }

        @Override
        public void demand(Runnable demandCallback) {
            if (copy != null || after != null) {
                demandCallback.run();
                return;
            }
            super.demand(demandCallback);
        }
    }
}
