package io.spillway.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.spillway.core.engine.Engine;
import io.spillway.core.keys.KeyScope;
import io.spillway.core.store.QueueStats;
import io.spillway.core.store.StoreException;
import io.spillway.server.metrics.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Health, readiness, the queue signal, metrics, the dashboard (also at {@code /}) and the OpenAPI document. */
final class OperationRoutes implements RouteFamily {
    static final Route HEALTH = Route.get("/healthz", "Liveness").alsoOnWorkers().open();
    static final Route READY = Route.get("/readyz", "Readiness").alsoOnWorkers().open();
    static final Route QUEUE = Route.get("/v1/queue",
            "Queue depth and the oldest runnable job's age (autoscaling signal)").alsoOnWorkers().needing(KeyScope.METRICS);
    static final Route METRICS = Route.get("/metrics", "Prometheus metrics").alsoOnWorkers().needing(KeyScope.METRICS);
    static final Route STATS = Route.get("/v1/stats", "Totals and recent latency for the dashboard").needing(KeyScope.METRICS);
    static final Route ROOT = Route.get("/", "Redirects to the dashboard").open();
    static final Route UI = Route.get("/ui", "The dashboard").open();
    static final Route UI_FILE = Route.get("/ui/{file}", "The dashboard's script and style").open();
    static final Route OPENAPI = Route.get("/openapi.json", "This API's OpenAPI 3.1 document").open();
    static final List<Route> ROUTES = List.of(HEALTH, READY, QUEUE, METRICS, STATS, ROOT, UI, UI_FILE, OPENAPI);

    private static final Map<String, String> UI_TYPES = Map.of("index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8", "style.css", "text/css; charset=utf-8");
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}\n".getBytes(StandardCharsets.UTF_8);

    private final Engine engine;
    private final Metrics metrics;
    private final ObjectMapper mapper;
    private final JobJson json;
    private final String processing;
    private final byte[] openApi = resource("openapi.json");

    /**
     * @param processing what readiness says of this process's workers: {@code running},
     *                   {@code paused} (workers: false) or {@code elsewhere} (a gateway)
     */
    OperationRoutes(Engine engine, Metrics metrics, ObjectMapper mapper, JobJson json, String processing) {
        this.engine = engine;
        this.metrics = metrics;
        this.mapper = mapper;
        this.json = json;
        this.processing = processing;
    }

    @Override
    public Map<Route, Handler> handlers() {
        return Map.of(HEALTH, ctx -> ctx.contentType(RequestBodies.JSON).result(HEALTHY),
                ROOT, ctx -> ctx.redirect(UI.path(), HttpStatus.FOUND),
                READY, this::ready,
                QUEUE, this::queue,
                METRICS, ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()),
                STATS, ctx -> ctx.contentType(RequestBodies.JSON).result(json.value(mapper, metrics.snapshot())),
                UI, ctx -> ctx.contentType(UI_TYPES.get("index.html")).header("Cache-Control", "no-cache")
                        .result(resource("ui/index.html")),
                UI_FILE, this::uiAsset,
                OPENAPI, ctx -> ctx.contentType(RequestBodies.JSON).result(openApi));
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
        var body = new LinkedHashMap<String, Object>();
        body.put("status", "ready");
        body.put("store", "ok");
        body.put("processing", processing);
        body.put("tasks", List.copyOf(engine.tasks().names()));
        ctx.contentType(RequestBodies.JSON).result(json.value(mapper, body));
    }

    /** The dashboard's few files, bundled in the jar: nothing is fetched from the internet. */
    private void uiAsset(Context ctx) {
        var file = ctx.pathParam("file");
        var type = UI_TYPES.get(file);
        if (type == null) {
            throw new ApiException(404, "no such dashboard file: " + JobRequests.truncate(file));
        }
        ctx.contentType(type).header("Cache-Control", "no-cache").result(resource("ui/" + file));
    }

    private void queue(Context ctx) {
        QueueStats stats;
        List<QueueStats.TaskQueue> tasks;
        Map<String, Long> rows;
        try {
            stats = engine.queueStats();
            tasks = engine.taskQueues();
            rows = engine.tableRows();
        } catch (StoreException e) {
            throw ApiException.unavailable("the store is unavailable: " + e.getMessage(), 5);
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("pending", stats.pending());
        body.put("processing", stats.processing());
        body.put("oldest_pending_age_seconds", stats.oldestRunnableAge().toMillis() / 1000.0);
        var byTask = new LinkedHashMap<String, Object>();
        for (var t : tasks) {
            var pending = new LinkedHashMap<String, Long>();
            t.pending().forEach((priority, n) -> pending.put(priority.wireName(), n));
            var task = new LinkedHashMap<String, Object>();
            task.put("pending", pending);
            task.put("running", t.running());
            task.put("drain_per_second", t.drainPerSecond());
            task.put("time_to_drain_seconds", t.timeToDrainSeconds());
            byTask.put(t.task(), task);
        }
        body.put("tasks", byTask);
        if (!rows.isEmpty()) {
            body.put("table", rows);
        }
        ctx.contentType(RequestBodies.JSON).result(json.value(mapper, body));
    }

    private static byte[] resource(String name) {
        try (var in = OperationRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
