package io.spillway.server.http;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.spillway.core.Job;
import io.spillway.core.JobIds;
import io.spillway.core.JobState;
import io.spillway.core.NewJob;
import io.spillway.core.engine.Engine;
import io.spillway.core.engine.EngineClosedException;
import io.spillway.core.engine.OverloadedException;
import io.spillway.core.store.InsertResult;
import io.spillway.core.store.ListParams;
import io.spillway.core.store.QueueStats;
import io.spillway.core.store.StoreException;
import io.spillway.server.config.ServerConfig;
import io.spillway.server.metrics.Metrics;
import io.spillway.server.metrics.Tracing;
import java.util.concurrent.CompletableFuture;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API v1 on Javalin: routes, request checks and the mapping of every failure to
 * {@code application/problem+json}. Stateless apart from the engine it fronts.
 */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    static final String JSON = "application/json";

    /** Every route served; the OpenAPI document must describe exactly these. */
    public static final List<Route> ROUTES = List.of(
            new Route("POST", "/v1/jobs", "Submit a job"),
            new Route("GET", "/v1/jobs", "List jobs, newest first"),
            new Route("GET", "/v1/jobs/{id}", "Get a job's status and result; ?wait= long-polls"),
            new Route("POST", "/v1/jobs/{id}/cancel", "Cancel a pending job"),
            new Route("POST", "/v1/jobs/{id}/retry", "Run a failed, cancelled or expired job again, as a new job"),
            new Route("GET", "/healthz", "Liveness"),
            new Route("POST", "/v1/documents", "Upload a document (multipart field file) and create a document job"),
            new Route("GET", "/readyz", "Readiness"),
            new Route("GET", "/v1/queue", "Queue depth and the oldest runnable job's age (autoscaling signal)"),
            new Route("GET", "/metrics", "Prometheus metrics"),
            new Route("GET", "/v1/stats", "Totals and recent latency for the dashboard"),
            new Route("GET", "/ui", "The dashboard"),
            new Route("GET", "/ui/{file}", "The dashboard's script and style"),
            new Route("GET", "/openapi.json", "This API's OpenAPI 3.1 document"));

    private final Engine engine;
    private final ServerConfig config;
    private final ObjectMapper mapper;
    private final JobJson json;
    private final JobRequests requests;
    private final byte[] openApi;
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final Metrics metrics;
    private final Tracing tracing;
    private final JobIds jobIds;
    private final Documents documents;

    public HttpApi(Engine engine, ServerConfig config, InstantSource clock, Metrics metrics, Tracing tracing,
                   Documents documents) {
        this.documents = documents;
        this.metrics = metrics;
        this.tracing = tracing;
        this.engine = engine;
        this.config = config;
        this.mapper = newMapper();
        this.json = new JobJson(mapper.getFactory());
        this.jobIds = new JobIds(clock);
        this.requests = new JobRequests(mapper, engine.tasks(), jobIds, clock, config.defaultMaxAttempts());
        this.openApi = resource("openapi.json");
    }

    /** The JSON mapper used for requests: strict about duplicate keys and trailing data. */
    public static ObjectMapper newMapper() {
        var m = new ObjectMapper();
        m.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build());
        m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        m.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        return m;
    }

    /** The listener and threads from the settings; shared with {@link BareServer} so both are built alike. */
    static void configureServer(JavalinConfig cfg, ServerConfig config, String threadName) {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.jetty.host = config.host();
        cfg.jetty.port = config.port();
        if (config.virtualThreads()) {
            cfg.concurrency.useVirtualThreads = true;
        } else {
            var pool = new QueuedThreadPool(config.httpThreads(), Math.min(8, config.httpThreads()));
            pool.setName(threadName);
            cfg.jetty.threadPool = pool;
        }
    }

    /** Counts requests in progress (for a clean stop) and times each one (metrics). */
    private void observe(JavalinConfig cfg) {
        cfg.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler(() -> !engine.isAccepting())));
        cfg.routes.before(ctx -> {
            activeRequests.incrementAndGet();
            ctx.attribute("spillway.start", System.nanoTime());
            if (!engine.isAccepting()) {
                ctx.header("Connection", "close"); // shutting down: let clients move to another instance
            }
        });
        cfg.routes.after(ctx -> {
            activeRequests.decrementAndGet();
            Long start = ctx.attribute("spillway.start");
            if (start != null) {
                metrics.httpRequest(ctx.method().name(), routeOf(ctx.path()), ctx.statusCode(), System.nanoTime() - start);
            }
        });
    }

    private static final Map<String, String> EXACT_ROUTES = ROUTES.stream().filter(r -> !r.path().contains("{"))
            .collect(java.util.stream.Collectors.toMap(Route::path, Route::path, (a, b) -> a));
    private static final List<Route> TEMPLATED = ROUTES.stream().filter(r -> r.path().contains("{")).toList();

    /** The route template a path matches ({@code /v1/jobs/{id}}), or {@code other}: never a raw id. */
    static String routeOf(String path) {
        var exact = EXACT_ROUTES.get(path);
        if (exact != null) {
            return exact;
        }
        var parts = path.split("/", -1);
        for (var route : TEMPLATED) {
            var template = route.path().split("/", -1);
            if (template.length != parts.length) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < template.length && match; i++) {
                match = template[i].startsWith("{") || template[i].equals(parts[i]);
            }
            if (match) {
                return route.path();
            }
        }
        return "other";
    }

    /** A worker's listener: only {@code /healthz}, {@code /readyz}, {@code /v1/queue} and {@code /metrics}. */
    public Javalin createHealthOnly() {
        return Javalin.create(cfg -> {
            configureServer(cfg, config, "spillway-http");
            observe(cfg);
            cfg.routes.get("/metrics", this::metrics);
            cfg.routes.get("/healthz", ctx -> ctx.contentType(JSON).result("{\"status\":\"ok\"}"));
            cfg.routes.get("/readyz", this::ready);
            cfg.routes.get("/v1/queue", this::queue);
            cfg.routes.exception(ApiException.class, (e, ctx) -> Problems.write(ctx, mapper, e));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, mapper, e.getStatus(),
                    javalinDetail(e, ctx), Map.of()));
        });
    }

    /** A configured, not yet started Javalin serving the API. */
    public Javalin create() {
        return Javalin.create(cfg -> {
            configureServer(cfg, config, "spillway-http");
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.http.asyncTimeout = config.maxWait().toMillis() + 30_000;
            cfg.http.prefer405over404 = true;
            cfg.jsonMapper(new JavalinJackson(mapper, false));

            observe(cfg);

            cfg.jetty.multipartConfig.maxFileSize(config.maxUploadBytes(), io.javalin.config.SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxTotalRequestSize(config.maxUploadBytes() + UPLOAD_OVERHEAD, io.javalin.config.SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxInMemoryFileSize(1, io.javalin.config.SizeUnit.MB);
            cfg.jetty.multipartConfig.cacheDirectory(config.dataDir().resolve("uploads").toAbsolutePath().toString());
            cfg.routes.post("/v1/jobs", this::submit);
            cfg.routes.post("/v1/documents", this::upload);
            cfg.routes.get("/v1/jobs", this::list);
            cfg.routes.get("/v1/jobs/{id}", this::get);
            cfg.routes.post("/v1/jobs/{id}/cancel", this::cancel);
            cfg.routes.post("/v1/jobs/{id}/retry", this::retry);
            cfg.routes.get("/healthz", ctx -> ctx.contentType(JSON).result("{\"status\":\"ok\"}"));
            cfg.routes.get("/readyz", this::ready);
            cfg.routes.get("/v1/queue", this::queue);
            cfg.routes.get("/metrics", this::metrics);
            cfg.routes.get("/v1/stats", ctx -> ctx.contentType(JSON).result(writeJson(metrics.snapshot())));
            cfg.routes.get("/ui", ctx -> ctx.contentType(UI_TYPES.get("index.html")).header("Cache-Control", "no-cache")
                    .result(resource("ui/index.html")));
            cfg.routes.get("/ui/{file}", this::uiAsset);
            cfg.routes.get("/openapi.json", ctx -> ctx.contentType(JSON).result(openApi));

            cfg.routes.exception(ApiException.class, (e, ctx) -> Problems.write(ctx, mapper, e));
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, mapper, e.getStatus(),
                    javalinDetail(e, ctx), Map.of()));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                var mapped = mapFailure(e);
                if (mapped.status() >= 500 && mapped.status() != 503) {
                    log.error("unexpected error on {} {}", ctx.method(), ctx.path(), e);
                }
                Problems.write(ctx, mapper, mapped);
            });
        });
    }

    /**
     * Stops taking connections and waits, up to {@code timeout}, for the requests in progress to
     * be answered, so stopping the server cuts no answer short. Call after the engine has shut
     * down (its futures are all complete), before {@link Javalin#stop()}.
     */
    public void quiesce(Javalin app, Duration timeout) {
        for (var connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof AbstractConnector c) {
                c.shutdown();
            }
        }
        long end = System.nanoTime() + timeout.toNanos();
        while (activeRequests.get() > 0 && System.nanoTime() < end) {
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void submit(Context ctx) {
        byte[] body = body(ctx);
        if (!engine.isAccepting()) {
            throw ApiException.unavailable("the server is shutting down and accepts no new jobs; retry on another instance", 5);
        }
        checkJsonContentType(ctx);
        var span = tracing.startAccept("/v1/jobs", Traceparent.valid(ctx.header("traceparent")));
        CompletableFuture<InsertResult> committed;
        NewJob newJob;
        try {
            newJob = requests.parse(body, ctx.header("Idempotency-Key"), span.traceparent());
            committed = engine.submit(newJob);
        } catch (RuntimeException e) {
            span.end(mapFailure(e).status(), null);
            throw e;
        }
        ctx.future(() -> committed.handle((result, error) -> {
            if (error != null) {
                var problem = mapFailure(error);
                Problems.write(ctx, mapper, problem);
                span.end(problem.status(), null);
            } else {
                respondToSubmit(ctx, newJob.requestHash(), result);
                span.end(ctx.statusCode(), result.job());
            }
            return null;
        }));
    }

    /** Room for the multipart framing and small fields around the file. */
    private static final long UPLOAD_OVERHEAD = 64 * 1024;

    /**
     * {@code POST /v1/documents}: stores the multipart field {@code file} and creates a job of the
     * task in {@code ?task=} (default {@code document}) with input {@code {"document_id"}}.
     */
    private void upload(Context ctx) {
        if (!engine.isAccepting()) {
            throw ApiException.unavailable("the server is shutting down and accepts no new jobs; retry on another instance", 5);
        }
        long limit = config.maxUploadBytes();
        if (ctx.req().getContentLengthLong() > limit + UPLOAD_OVERHEAD) {
            throw new ApiException(413, uploadTooLarge(), Map.of("Connection", "close"));
        }
        var type = ctx.contentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            throw new ApiException(415, "send the document as multipart/form-data with the file in the field 'file'");
        }
        io.javalin.http.UploadedFile file;
        try {
            java.nio.file.Files.createDirectories(config.dataDir().resolve("uploads"));
            file = ctx.uploadedFile("file");
        } catch (IOException | RuntimeException e) {
            var message = String.valueOf(e.getMessage()) + " " + (e.getCause() == null ? "" : e.getCause().getMessage());
            if (message.toLowerCase(java.util.Locale.ROOT).contains("max")) {
                throw new ApiException(413, uploadTooLarge(), Map.of("Connection", "close"));
            }
            throw ApiException.badRequest("the multipart body could not be read: " + e.getMessage());
        }
        if (file == null) {
            throw ApiException.unprocessable("the multipart field 'file' is missing; send the document in it");
        }
        io.spillway.documents.DocumentStore.Stored stored;
        try (var in = file.content()) {
            stored = documents.store().save(in, file.filename(), limit);
        } catch (io.spillway.documents.DocumentStore.TooLargeException e) {
            throw new ApiException(413, uploadTooLarge(), Map.of("Connection", "close"));
        } catch (IOException e) {
            throw ApiException.badRequest("the upload could not be read: " + e.getMessage());
        }
        try {
            var media = documents.extractor().get().detect(documents.store().path(stored), stored.filename());
            if (!documents.extractor().get().supports(media)) {
                throw new ApiException(415, "unsupported document type " + media.getBaseType()
                        + "; supported: PDF, Word, Excel, PowerPoint, HTML and plain text");
            }
            var request = mapper.createObjectNode();
            request.put("task", ctx.queryParamMap().containsKey("task") ? ctx.queryParam("task") : "document");
            request.putObject("input").put("document_id", stored.id());
            if (ctx.queryParam("priority") != null) {
                request.put("priority", ctx.queryParam("priority"));
            }
            request.putObject("metadata").put("filename", stored.filename()).put("bytes", stored.bytes());
            var newJob = requests.parse(mapper.writeValueAsBytes(request), ctx.header("Idempotency-Key"),
                    Traceparent.valid(ctx.header("traceparent")));
            var committed = engine.submit(newJob);
            ctx.future(() -> committed.handle((result, error) -> {
                if (error != null) {
                    deleteQuietly(stored);
                    Problems.write(ctx, mapper, mapFailure(error));
                } else if (!result.created()) {
                    deleteQuietly(stored);
                    respondToSubmit(ctx, newJob.requestHash(), result);
                } else {
                    ctx.header("Location", "/v1/jobs/" + result.job().id());
                    var body = mapper.createObjectNode().put("job_id", result.job().id()).put("status", "pending")
                            .put("message", JobJson.ACCEPTED_MESSAGE).put("document_id", stored.id());
                    ctx.status(202).contentType(JSON).result(writeJson(body));
                }
                return null;
            }));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(stored);
            throw e instanceof IOException io ? new java.io.UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private String uploadTooLarge() {
        return "the document is larger than the limit of " + config.maxUploadBytes() + " bytes (setting max_upload_bytes)";
    }

    private void deleteQuietly(io.spillway.documents.DocumentStore.Stored stored) {
        try {
            documents.store().delete(stored.id());
        } catch (IOException e) {
            log.warn("could not delete the refused upload {}: {}", stored.id(), e.toString());
        }
    }

    private void respondToSubmit(Context ctx, String requestHash, InsertResult result) {
        var job = result.job();
        ctx.header("Location", "/v1/jobs/" + job.id());
        if (result.created()) {
            ctx.status(202).contentType(JSON).result(json.accepted(job.id()));
        } else if (requestHash != null && requestHash.equals(job.requestHash())) {
            ctx.status(200).contentType(JSON).result(json.job(job));
        } else {
            Problems.write(ctx, mapper, 409, "the Idempotency-Key was already used for job " + job.id()
                    + " with a different request; use a new key for a new request", Map.of());
        }
    }

    private void get(Context ctx) {
        var id = ctx.pathParam("id");
        var wait = waitParam(ctx.queryParam("wait"));
        if (!JobIds.looksLikeId(id)) {
            throw ApiException.notFound();
        }
        if (wait.isZero()) {
            var job = engine.get(JobRequests.DEFAULT_TENANT, id).orElseThrow(ApiException::notFound);
            ctx.contentType(JSON).result("input".equals(ctx.queryParam("include")) ? json.jobWithInput(job) : json.job(job));
            return;
        }
        var waiting = engine.awaitTerminal(JobRequests.DEFAULT_TENANT, id, wait);
        ctx.future(() -> waiting.handle((job, error) -> {
            if (error != null) {
                Problems.write(ctx, mapper, mapFailure(error));
            } else if (job.isEmpty()) {
                Problems.write(ctx, mapper, ApiException.notFound());
            } else {
                ctx.contentType(JSON).result(json.job(job.get()));
            }
            return null;
        }));
    }

    private void cancel(Context ctx) {
        var id = ctx.pathParam("id");
        if (!JobIds.looksLikeId(id)) {
            throw ApiException.notFound();
        }
        Job job = engine.cancel(JobRequests.DEFAULT_TENANT, id).orElseThrow(ApiException::notFound);
        if (job.state() != JobState.CANCELLED) {
            throw new ApiException(409, "job " + id + " is " + job.state().wireName()
                    + " and can no longer be cancelled; only pending jobs can");
        }
        ctx.contentType(JSON).result(json.job(job));
    }

    /**
     * A terminal job that did not complete is submitted again as a new job with the same task,
     * input, priority, attempts and metadata (a terminal job never moves again); the answer is
     * the new job's 202.
     */
    private void retry(Context ctx) {
        var id = ctx.pathParam("id");
        if (!JobIds.looksLikeId(id)) {
            throw ApiException.notFound();
        }
        if (!engine.isAccepting()) {
            throw ApiException.unavailable("the server is shutting down and accepts no new jobs; retry on another instance", 5);
        }
        var job = engine.get(JobRequests.DEFAULT_TENANT, id).orElseThrow(ApiException::notFound);
        switch (job.state()) {
            case FAILED, CANCELLED, EXPIRED -> { }
            case PENDING, PROCESSING, COMPLETED -> throw new ApiException(409, "job " + id + " is "
                    + job.state().wireName() + "; only failed, cancelled or expired jobs can be retried");
        }
        var copy = new NewJob(jobIds.next(), job.tenant(), job.task(), job.input(), job.priority(), job.maxAttempts(),
                null, job.metadata(), null, null, job.traceparent());
        var committed = engine.submit(copy);
        ctx.future(() -> committed.handle((result, error) -> {
            if (error != null) {
                Problems.write(ctx, mapper, mapFailure(error));
            } else {
                respondToSubmit(ctx, null, result);
            }
            return null;
        }));
    }

    private void list(Context ctx) {
        JobState state = null;
        var status = ctx.queryParam("status");
        if (status != null && !status.isEmpty()) {
            try {
                state = JobState.fromWire(status);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(JobRequests.truncate(e.getMessage()));
            }
        }
        var task = ctx.queryParam("task");
        if (task != null && (task.isEmpty() || task.length() > 64)) {
            throw ApiException.badRequest("'task' must be 1 to 64 characters");
        }
        int limit = 50;
        var limitText = ctx.queryParam("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) {
                throw ApiException.badRequest("'limit' must be a whole number from 1 to 1000");
            }
        }
        var cursor = ctx.queryParam("cursor");
        String after = cursor == null || cursor.isEmpty() ? null : Cursors.decode(cursor);
        var page = engine.list(new ListParams(JobRequests.DEFAULT_TENANT, state, task, limit, after));
        ctx.contentType(JSON).result(json.page(page.jobs(),
                page.nextAfterId() == null ? null : Cursors.encode(page.nextAfterId())));
    }

    private void ready(Context ctx) {
        if (!engine.isAccepting()) {
            throw ApiException.unavailable("shutting down", 5);
        }
        try {
            engine.ping();
        } catch (StoreException e) {
            throw ApiException.unavailable("the store is unavailable: " + e.getMessage(), 5);
        }
        ctx.contentType(JSON).result("{\"status\":\"ready\",\"store\":\"ok\",\"tasks\":"
                + writeJson(List.copyOf(engine.tasks().names())) + "}");
    }

    private static final Map<String, String> UI_TYPES = Map.of("index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8", "style.css", "text/css; charset=utf-8");

    /** The dashboard's few files, bundled in the jar: nothing is fetched from the internet. */
    private void uiAsset(Context ctx) {
        var file = ctx.pathParam("file");
        var type = UI_TYPES.get(file);
        if (type == null) {
            throw new ApiException(404, "no such dashboard file: " + JobRequests.truncate(file));
        }
        ctx.contentType(type).header("Cache-Control", "no-cache").result(resource("ui/" + file));
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    }

    private void queue(Context ctx) {
        QueueStats stats;
        Map<String, Long> rows;
        try {
            stats = engine.queueStats();
            rows = engine.tableRows();
        } catch (StoreException e) {
            throw ApiException.unavailable("the store is unavailable: " + e.getMessage(), 5);
        }
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("pending", stats.pending());
        body.put("processing", stats.processing());
        body.put("oldest_pending_age_seconds", stats.oldestRunnableAge().toMillis() / 1000.0);
        if (!rows.isEmpty()) {
            body.put("table", rows);
        }
        ctx.contentType(JSON).result(writeJson(body));
    }

    private Duration waitParam(String text) {
        if (text == null || text.isEmpty()) {
            return Duration.ZERO;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        double max = config.maxWait().toMillis() / 1000.0;
        if (Double.isNaN(seconds) || seconds < 0 || seconds > max) {
            throw ApiException.badRequest("'wait' must be a number of seconds from 0 to " + (long) max);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static void checkJsonContentType(Context ctx) {
        var type = ctx.header("Content-Type");
        if (type == null || type.isBlank()) {
            return; // as the reference design: a body without a type is read as JSON
        }
        var mime = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mime.equals(JSON) && !(mime.startsWith("application/") && mime.endsWith("+json"))) {
            throw new ApiException(415, "Content-Type must be application/json, not " + JobRequests.truncate(type));
        }
    }

    /**
     * Reads the body, up to the limit. A body over the limit is answered 413; when it is not far
     * over (at most 4x, 16 MiB), the rest is read and dropped first, so the client, which may
     * still be sending, reliably sees the answer and keeps its connection.
     */
    private byte[] body(Context ctx) {
        long limit = config.maxBodyBytes();
        long drainable = Math.min(limit * 4, 16L << 20);
        long length = ctx.req().getContentLengthLong();
        try {
            InputStream in = ctx.req().getInputStream();
            if (length > limit) {
                throw tooLarge(length <= drainable && drain(in, drainable));
            }
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw tooLarge(drain(in, drainable));
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    private static boolean drain(InputStream in, long max) throws IOException {
        long skipped = 0;
        var buffer = new byte[8192];
        int n;
        while (skipped <= max && (n = in.read(buffer)) >= 0) {
            skipped += n;
        }
        return skipped <= max;
    }

    private ApiException tooLarge(boolean drained) {
        var detail = "the body is larger than the limit of " + config.maxBodyBytes() + " bytes (setting max_body_bytes)";
        // when the rest of the body was not read, the connection cannot be reused
        return drained ? new ApiException(413, detail) : new ApiException(413, detail, Map.of("Connection", "close"));
    }

    private static String javalinDetail(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> "no route " + ctx.method() + " " + ctx.path();
            case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path();
            case 413 -> "the body is too large";
            default -> e.getMessage() == null || e.getMessage().isBlank() ? Problems.title(e.getStatus()) : e.getMessage();
        };
    }

    /** Failures that reach the API, turned into what the client is told. */
    static ApiException mapFailure(Throwable error) {
        var e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return switch (e) {
            case ApiException api -> api;
            case OverloadedException o -> ApiException.unavailable("the server is overloaded: " + o.getMessage() + "; retry shortly", 1);
            case EngineClosedException c -> ApiException.unavailable(c.getMessage(), 5);
            case StoreException s -> ApiException.unavailable("the store is unavailable; nothing was recorded, retry shortly", 2);
            case HttpResponseException h -> new ApiException(h.getStatus(), Problems.title(h.getStatus()));
            default -> new ApiException(500, "internal error; it has been logged");
        };
    }

    private String writeJson(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) {
        try (var in = HttpApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
