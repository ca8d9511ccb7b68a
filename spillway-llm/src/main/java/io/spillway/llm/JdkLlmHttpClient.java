package io.spillway.llm;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The HTTP client under langchain4j's providers: the JDK's, blocking (callers are virtual
 * threads), with a per-call timeout, and with the error status and {@code Retry-After} of a
 * failed call kept in a {@link ProviderHttpException} (langchain4j's own client drops the header).
 */
final class JdkLlmHttpClient implements HttpClient {
    private static final int MAX_ERROR_BODY = 500;
    private final java.net.http.HttpClient client;
    private final Duration readTimeout;

    private JdkLlmHttpClient(Duration connectTimeout, Duration readTimeout) {
        this.client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout).build();
        this.readTimeout = readTimeout;
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        var builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url())).timeout(readTimeout);
        request.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("host")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        var body = request.body() == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(request.body());
        builder.method(request.method().name(), body);
        HttpResponse<String> response;
        try {
            response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new ProviderIoException("no answer within " + readTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new ProviderIoException("connection failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderIoException("interrupted", e);
        }
        if (response.statusCode() < 200 || response.statusCode() >= 300) {
            var text = response.body() == null ? "" : response.body();
            throw new ProviderHttpException(response.statusCode(),
                    text.length() > MAX_ERROR_BODY ? text.substring(0, MAX_ERROR_BODY) + "…" : text,
                    retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
        }
        return SuccessfulHttpResponse.builder().statusCode(response.statusCode()).headers(response.headers().map())
                .body(response.body()).build();
    }

    /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(value.strip()) * 1000));
        } catch (NumberFormatException e) {
            try {
                var at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                var d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("streaming is not used");
    }

    /** A call that got no HTTP answer: timeout, refused or reset connection. */
    static final class ProviderIoException extends UncheckedIOException {
        ProviderIoException(String message, Exception cause) {
            super(message, cause instanceof IOException io ? io : new IOException(cause));
        }
    }

    static final class Builder implements HttpClientBuilder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(60);

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration d) {
            if (d != null) {
                connectTimeout = d;
            }
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration d) {
            if (d != null) {
                readTimeout = d;
            }
            return this;
        }

        @Override
        public HttpClient build() {
            return new JdkLlmHttpClient(connectTimeout, readTimeout);
        }
    }
}
