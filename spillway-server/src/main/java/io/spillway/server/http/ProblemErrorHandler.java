package io.spillway.server.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches the API: problem+json like every other
 * error (decided by {@link ErrorMapper#mapJetty}), never an HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private final BooleanSupplier stopping;

    ProblemErrorHandler(BooleanSupplier stopping) {
        this.stopping = stopping;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws IOException {
        var problem = ErrorMapper.mapJetty(code, message, cause, stopping.getAsBoolean());
        response.setStatus(problem.status());
        problem.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        BrowserSafety.addHeaders(response.getHeaders());
        response.write(true, ByteBuffer.wrap(Problems.body(problem.status(), problem.detail())), callback);
    }
}
