package io.spillway.server.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.spillway.core.JobIds;
import io.spillway.core.engine.Engine;
import io.spillway.core.json.Json;
import io.spillway.documents.DocumentIntake;
import io.spillway.server.auth.Audit;
import io.spillway.server.auth.Authenticator;
import io.spillway.server.auth.RateLimiter;
import io.spillway.server.config.ServerConfig;
import io.spillway.server.metrics.Metrics;
import io.spillway.server.metrics.Tracing;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP API v1 on Javalin, as a short facade: it builds the route families, registers a
 * handler for every route of the {@link RouteTable}, and applies what every route shares
 * (refusal while stopping, request counting for a clean stop, metrics by route, one error
 * mapper). Stateless apart from the engine it fronts.
 */
public final class HttpApi {
    private static final String ROUTE_ATTRIBUTE = "spillway.route";
    private static final String START_ATTRIBUTE = "spillway.start";

    private final Engine engine;
    private final ServerConfig config;
    private final Metrics metrics;
    private final Authenticator authenticator;
    private final RateLimiter rates;
    private final AtomicInteger activeRequests = new AtomicInteger();
    private final Map<Route, Handler> handlers = new HashMap<>();

    /**
     * @param processing what this process does with accepted jobs: {@code running} (workers
     *                   here), {@code paused} (workers: false) or {@code elsewhere} (a gateway)
     */
    public HttpApi(Engine engine, ServerConfig config, InstantSource clock, Metrics metrics, Tracing tracing,
                   DocumentIntake documents, String processing, Authenticator authenticator, RateLimiter rates, Audit audit) {
        this.engine = engine;
        this.rates = rates;
        this.authenticator = authenticator;
        this.config = config;
        this.metrics = metrics;
        var mapper = Json.MAPPER;
        var json = new JobJson(mapper.getFactory(), !processing.equals("paused"));
        var jobIds = new JobIds(clock);
        var requests = new JobRequests(mapper, engine.tasks(), jobIds, clock, config.defaultMaxAttempts());
        var families = List.of(
                new JobRoutes(engine, requests, json, new RequestBodies(config.maxBodyBytes()), tracing, jobIds,
                        config.maxWait(), audit),
                new DocumentRoutes(engine, documents, requests, json),
                new UsageRoutes(engine, mapper, json, clock),
                new OperationRoutes(engine, metrics, mapper, json, processing));
        families.forEach(f -> handlers.putAll(f.handlers()));
        for (var route : RouteTable.ROUTES) {
            if (!handlers.containsKey(route)) {
                throw new IllegalStateException("no handler for the route " + route);
            }
        }
    }

    /**
     * The listener, its guards against slow and greedy clients, and the threads, from the
     * settings; shared with {@link BareServer} so both are built alike. Requests run on a pool of
     * {@code http_threads} (or, with {@code virtual_threads}, on virtual threads); their bodies are
     * read before they run ({@link EagerBodies}), so a client that sends slowly holds no thread, and
     * only after {@link AuthGate} has let the request in ({@code authenticator} null: no gate).
     */
    static void configureServer(JavalinConfig cfg, ServerConfig config, String threadName, Authenticator authenticator) {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.jetty.host = config.host();
        cfg.jetty.port = config.port();
        var pool = new QueuedThreadPool(config.httpThreads(), Math.min(8, config.httpThreads()));
        pool.setName(threadName);
        if (config.virtualThreads()) {
            pool.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name(threadName + "-request-", 0).factory()));
        }
        cfg.jetty.threadPool = pool;
        var deadlines = new ReadDeadlines[1];
        cfg.jetty.modifyServer(server -> {
            deadlines[0] = new ReadDeadlines(config.requestReadTimeout(), config.minRequestBytesPerSecond(),
                    server.getScheduler());
            var handlers = deadlines[0].handler();
            var eager = EagerBodies.handler(config.maxBodyBytes(), DocumentRoutes.UPLOAD, config.maxUploadBytes() + DocumentRoutes.UPLOAD_OVERHEAD,
                    config.maxUploadBytes(), config.dataDir().resolve("uploads").toAbsolutePath());
            // refusals of a foreign page or name come first: nothing of their body is read
            var safety = new BrowserSafety(BrowserSafety.allowedNames(config.host(), config.allowedHosts()), config.corsOrigins());
            handlers.setHandler(safety);
            if (authenticator == null) {
                safety.setHandler(eager);
            } else {
                // then a request without a working key, before its body is read
                var gate = new AuthGate(authenticator, RouteTable.ROUTES);
                safety.setHandler(gate);
                gate.setHandler(eager);
            }
            eager.setHandler(new BodyDrain(config.maxBodyBytes()));
            server.setHandler(handlers); // Javalin puts its servlet handler inside the innermost
        });
        cfg.jetty.addConnector((server, http) -> {
            var connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost(config.host());
            connector.setPort(config.port());
            connector.addBean(deadlines[0]);
            if (config.maxConnectionsPerAddress() > 0) {
                connector.addBean(new ConnectionsPerAddress(config.maxConnectionsPerAddress()));
            }
            return connector;
        });
    }

    /** A configured, not yet started Javalin serving the whole API. */
    public Javalin create() {
        return create(false);
    }

    /** A worker's listener: only the routes workers serve (health, readiness, queue, metrics). */
    public Javalin createForWorker() {
        return create(true);
    }

    private Javalin create(boolean worker) {
        return Javalin.create(cfg -> {
            configureServer(cfg, config, "spillway-http", authenticator);
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.http.asyncTimeout = config.maxWait().toMillis() + 30_000;
            cfg.http.prefer405over404 = true;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.jetty.multipartConfig.maxFileSize(config.maxUploadBytes(), SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxTotalRequestSize(config.maxUploadBytes() + DocumentRoutes.UPLOAD_OVERHEAD,
                    SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
            cfg.jetty.multipartConfig.cacheDirectory(config.dataDir().resolve("uploads").toAbsolutePath().toString());
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler(() -> !engine.isAccepting())));
            cfg.routes.before(ctx -> {
                activeRequests.incrementAndGet();
                ctx.attribute(START_ATTRIBUTE, System.nanoTime());
                if (!engine.isAccepting()) {
                    ctx.header("Connection", "close"); // shutting down: let clients move to another instance
                }
            });
            cfg.routes.after(ctx -> {
                activeRequests.decrementAndGet();
                Long start = ctx.attribute(START_ATTRIBUTE);
                String route = ctx.attribute(ROUTE_ATTRIBUTE);
                if (start != null) {
                    metrics.httpRequest(ctx.method().name(), route == null ? RouteTable.NO_ROUTE : route,
                            ctx.statusCode(), System.nanoTime() - start);
                }
            });
            for (var route : RouteTable.ROUTES) {
                if (!worker || route.onWorkers()) {
                    cfg.routes.addHttpHandler(HandlerType.findOrCreate(route.method()), route.path(),
                            guarded(route, handlers.get(route)));
                }
            }
            ErrorMapper.register(cfg);
        });
    }

    /**
     * The handler as registered: labelled for metrics, authenticated when it needs a scope, and
     * refused while stopping when it takes work.
     */
    private Handler guarded(Route route, Handler handler) {
        return ctx -> {
            ctx.attribute(ROUTE_ATTRIBUTE, route.path());
            if (route.scope() != null) {
                Callers.authenticate(ctx, authenticator, rates, route.scope());
            }
            if (route.takesWork() && !engine.isAccepting()) {
                throw ApiException.unavailable("the server is shutting down and accepts no new jobs; retry on another instance", 5);
            }
            handler.handle(ctx);
        };
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
}
