package io.spillway.server.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches the API (a request cut off mid-body, a
 * malformed request line): problem+json like every other error, never an HTML page. A request
 * cut off while the server is stopping is a 503 with Retry-After, as every request then is.
 */
final class ProblemErrorHandler extends ErrorHandler {
    private final BooleanSupplier stopping;

    ProblemErrorHandler(BooleanSupplier stopping) {
        this.stopping = stopping;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws IOException {
        int status = code;
        String detail;
        boolean cutOff = cause instanceof EofException || (cause != null && cause.getCause() instanceof EofException);
        if (stopping.getAsBoolean() && (cutOff || code >= 500)) {
            status = 503;
            detail = "the server is shutting down; retry on another instance";
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        } else if (cutOff) {
            status = 400;
            detail = "the request ended before its body was complete";
        } else if (code >= 500) {
            detail = "internal error";
        } else {
            detail = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
        var body = "{\"type\":\"about:blank\",\"title\":" + quote(HttpStatus.getMessage(status)) + ",\"status\":" + status
                + ",\"detail\":" + quote(detail) + "}";
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static String quote(String s) {
        var b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
