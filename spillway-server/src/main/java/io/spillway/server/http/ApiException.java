package io.spillway.server.http;

import java.util.Map;

/**
 * An error the API answers with an {@code application/problem+json} body (RFC 9457). The
 * {@code detail} is shown to the client: it says what is wrong and, where it can, how to fix it.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final Map<String, String> headers;

    public ApiException(int status, String detail) {
        this(status, detail, Map.of());
    }

    public ApiException(int status, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return headers;
    }

    static ApiException badRequest(String detail) {
        return new ApiException(400, detail);
    }

    static ApiException unprocessable(String detail) {
        return new ApiException(422, detail);
    }

    static ApiException notFound() {
        return new ApiException(404, "Job not found");
    }

    static ApiException unavailable(String detail, int retryAfterSeconds) {
        return new ApiException(503, detail, Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
    }
}
