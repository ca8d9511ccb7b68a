package io.spillway.server;

import io.javalin.Javalin;
import io.spillway.core.engine.Engine;
import io.spillway.core.engine.EngineConfig;
import io.spillway.core.task.TaskRegistry;
import io.spillway.core.tasks.EchoTask;
import io.spillway.server.config.ServerConfig;
import io.spillway.server.http.HttpApi;
import io.spillway.store.sqlite.SqliteJobStore;
import io.spillway.core.task.TaskHandler;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded shape: one process with the HTTP API, the engine and a SQLite store in the data
 * directory. {@link #start} returns once the port is open; {@link #stop} drains and is
 * idempotent.
 */
public final class SpillwayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpillwayServer.class);

    /** What {@code generate} answers until a text model is configured. */
    public static final String GENERATE_UNAVAILABLE = "task generate needs a text-generation model and none is "
            + "configured on this server; use another task (see GET /readyz for the tasks here)";

    private final ServerConfig config;
    private final SqliteJobStore store;
    private final Engine engine;
    private final HttpApi api;
    private final Javalin http;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private SpillwayServer(ServerConfig config, SqliteJobStore store, Engine engine, HttpApi api, Javalin http) {
        this.config = config;
        this.store = store;
        this.engine = engine;
        this.api = api;
        this.http = http;
    }

    /** Opens the store, recovers interrupted jobs, starts the workers and the HTTP listener. */
    public static SpillwayServer start(ServerConfig config) {
        return start(config, List.of());
    }

    /** As {@link #start(ServerConfig)}, with more task handlers besides the built-in ones. */
    public static SpillwayServer start(ServerConfig config, List<TaskHandler> extraTasks) {
        var clock = InstantSource.system();
        var store = SqliteJobStore.open(config.dataDir().resolve("spillway.db"), config.durability());
        try {
            var registry = TaskRegistry.builder().register(new EchoTask());
            extraTasks.forEach(registry::register);
            var tasks = registry.unavailable("generate", GENERATE_UNAVAILABLE).build();
            var defaults = EngineConfig.defaults(config.workerThreads());
            var engineConfig = new EngineConfig(config.workerThreads(), config.maxInFlight(), defaults.claimBatch(),
                    defaults.acceptBatch(), config.acceptQueue(), config.lease(), defaults.pollInterval(),
                    defaults.maintenanceInterval(), defaults.backoff(), "embedded", true, config.workers());
            var engine = new Engine(store, tasks, engineConfig, clock);
            engine.start();
            var api = new HttpApi(engine, config, clock);
            var http = api.create();
            try {
                http.start();
            } catch (RuntimeException e) {
                engine.shutdown(Duration.ZERO);
                throw e;
            }
            log.info("Spillway listening on http://{}:{} (data in {}, durability {})", config.host(), http.port(),
                    config.dataDir().toAbsolutePath().normalize(), config.durability().wireName());
            return new SpillwayServer(config, store, engine, api, http);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Stops accepting (POST answers 503, every answer says {@code Connection: close}), lets
     * running jobs finish for up to the drain timeout, hands the rest back as pending, stops
     * taking connections, waits for the requests in progress, then closes the listener and the
     * store.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        log.info("stopping: draining running jobs for up to {} s", config.drainTimeout().toSeconds());
        engine.shutdown(config.drainTimeout());
        api.quiesce(http, Duration.ofSeconds(5));
        http.stop();
        store.close();
        log.info("stopped");
    }

    @Override
    public void close() {
        stop();
    }
}
