package io.spillway.server;

import io.javalin.Javalin;
import io.spillway.core.builtin.EchoTask;
import io.spillway.core.builtin.SleepTask;
import io.spillway.core.engine.Engine;
import io.spillway.core.engine.EngineConfig;
import io.spillway.core.engine.EngineListener;
import io.spillway.core.keys.KeyStore;
import io.spillway.core.store.JobStore;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import io.spillway.documents.DocumentIntake;
import io.spillway.documents.DocumentStore;
import io.spillway.documents.DocumentTypes;
import io.spillway.documents.ExtractLimits;
import io.spillway.documents.ExtractTask;
import io.spillway.documents.ForkedExtractor;
import io.spillway.llm.GenerateTask;
import io.spillway.llm.LlmRepository;
import io.spillway.llm.RemoteModel;
import io.spillway.onnx.ClassifyTask;
import io.spillway.onnx.EmbedTask;
import io.spillway.onnx.ModelRepository;
import io.spillway.onnx.ModelSpec;
import io.spillway.onnx.Models;
import io.spillway.onnx.SentimentTask;
import io.spillway.onnx.SummarizeTask;
import io.spillway.onnx.TextLimits;
import io.spillway.pipeline.PipelineException;
import io.spillway.pipeline.PipelineSpec;
import io.spillway.pipeline.PipelineTask;
import io.spillway.pipeline.Pipelines;
import io.spillway.pipeline.SummarizeRouter;
import io.spillway.server.auth.Audit;
import io.spillway.server.auth.Authenticator;
import io.spillway.server.auth.RateLimiter;
import io.spillway.server.config.ConfigException;
import io.spillway.server.config.ServerConfig;
import io.spillway.server.http.HttpApi;
import io.spillway.server.metrics.LlmMetrics;
import io.spillway.server.metrics.Metrics;
import io.spillway.server.metrics.ModelMetrics;
import io.spillway.server.metrics.Tracing;
import io.spillway.store.postgres.PostgresJobStore;
import io.spillway.store.postgres.PostgresStoreConfig;
import io.spillway.store.sqlite.SqliteJobStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Spillway process: {@link Role#SERVE} (API and workers; the embedded SQLite store or a
 * shared PostgreSQL), {@link Role#GATEWAY} (API only) or {@link Role#WORKER} (workers only).
 * {@link #start} returns once the port is open; {@link #stop} drains and is idempotent.
 */
public final class SpillwayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpillwayServer.class);

    /** What {@code generate} answers until a text model is configured. */
    public static final String GENERATE_UNAVAILABLE = "task generate needs a text-generation model and none is "
            + "configured on this server: set OPENAI_API_KEY (and optionally OPENAI_BASE_URL, SPILLWAY_OPENAI_MODEL) for any "
            + "OpenAI-compatible endpoint, or add models/<name>/model.yaml with kind: llm (see docs/llm.md)";

    private final ServerConfig config;
    private final JobStore store;
    private final Engine engine;
    private final HttpApi api;
    private final Javalin http;
    private final ScheduledExecutorService sampler;
    private final Tracing tracing;
    private final Models models;
    private final Lazy<ForkedExtractor> extractor;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private SpillwayServer(ServerConfig config, JobStore store, Engine engine, HttpApi api, Javalin http,
                           ScheduledExecutorService sampler, Tracing tracing, Models models,
                           Lazy<ForkedExtractor> extractor) {
        this.models = models;
        this.extractor = extractor;
        this.sampler = sampler;
        this.tracing = tracing;
        this.config = config;
        this.store = store;
        this.engine = engine;
        this.api = api;
        this.http = http;
    }

    /** Starts the embedded shape ({@code spillway serve}). */
    public static SpillwayServer start(ServerConfig config) {
        return start(config, Role.SERVE, List.of());
    }

    /** As {@link #start(ServerConfig)}, with more task handlers besides the built-in ones. */
    public static SpillwayServer start(ServerConfig config, List<TaskHandler> extraTasks) {
        return start(config, Role.SERVE, extraTasks);
    }

    /**
     * Opens the store (applying migrations), recovers interrupted jobs, starts the workers (unless a
     * gateway) and the HTTP listener.
     *
     * @throws ConfigException when the role needs a shared store and the config names SQLite
     */
    public static SpillwayServer start(ServerConfig config, Role role, List<TaskHandler> extraTasks) {
        return start(config, role, extraTasks, System.getenv());
    }

    /**
     * As {@link #start(ServerConfig, Role, List)}, reading remote models' keys and the zero-config
     * OpenAI variables from {@code env} instead of the process environment.
     */
    public static SpillwayServer start(ServerConfig config, Role role, List<TaskHandler> extraTasks, Map<String, String> env) {
        var store = openStore(config, role);
        try {
            requireProtected(config, store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        // the store's clock: it never steps back, and on PostgreSQL it is the database's, shared by every process
        InstantSource clock;
        try {
            clock = store.clock();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        Models models = null;
        Lazy<ForkedExtractor> extractor = null;
        try {
            boolean embedded = store instanceof SqliteJobStore;
            boolean runWorkers = role != Role.GATEWAY && config.workers();
            var metrics = new Metrics();
            var local = ModelRepository.scan(config.modelsDir(), LlmRepository::isRemote);
            models = Models.of(local, new ModelMetrics(metrics.registry()))
                    .with(ModelSpec.builtIn().withMaxBatch(config.builtinMaxBatch())
                            .withPrice(config.builtinPricePerComputeSecond()));
            if (runWorkers) {
                models.loadRepository();
            }
            var limits = new TextLimits(config.maxTextChars(), config.maxDocumentChars());
            var extractLimits = new ExtractLimits(config.maxUploadBytes(), config.maxDocumentChars(),
                    config.extractTimeout(), config.maxExpandedPartBytes());
            extractor = new Lazy<>(() -> new ForkedExtractor(extractLimits, config.extractProcesses(),
                    config.extractHeapBytes(), childLogging(config)));
            var jobs = AtRest.open(config.encryption(), store);
            var documentStore = new DocumentStore(jobs);
            var documents = new DocumentIntake(documentStore, new Lazy<>(DocumentTypes::new), config.maxUploadBytes());
            createUploadsDirectory(config);
            var handlers = new LinkedHashMap<String, TaskHandler>();
            for (var h : List.of(new EchoTask(), new SleepTask(), new EmbedTask(models, limits), new ClassifyTask(models, limits),
                    new SentimentTask(models, limits), new ExtractTask(documentStore, extractor))) {
                handlers.put(h.name(), h);
            }
            var llms = LlmRepository.load(config.modelsDir(), env);
            GenerateTask generate = null;
            if (!llms.isEmpty()) {
                var llmMetrics = new LlmMetrics(metrics.registry());
                var remote = llms.stream().map(s -> new RemoteModel(s, env, llmMetrics)).toList();
                remote.forEach(llmMetrics::watch);
                generate = new GenerateTask(remote);
                handlers.put(GenerateTask.NAME, generate);
                llms.forEach(s -> log.info("text model {}: {} at {}", s.name(), s.model(), s.baseUrl()));
            }
            handlers.put(SummarizeTask.NAME, new SummarizeRouter(new SummarizeTask(models, limits), generate));
            extraTasks.forEach(h -> handlers.put(h.name(), h));
            var registry = TaskRegistry.builder();
            handlers.values().forEach(registry::register);
            if (llms.isEmpty()) {
                registry.unavailable(GenerateTask.NAME, GENERATE_UNAVAILABLE);
            }
            for (var spec : pipelines(config, handlers.keySet())) {
                registry.register(new PipelineTask(spec, handlers, jobs));
            }
            var tasks = registry.build();
            var engineConfig = EngineConfig.defaults(config.workerThreads())
                    .withLimits(config.maxInFlight(), config.acceptQueue())
                    .withLease(config.lease(), Duration.ofSeconds(1))
                    .withRetention(config.retention())
                    .withScheduling(config.scheduling())
                    .withRole(workerId(role), embedded, runWorkers);
            var tracing = Tracing.fromEnvironment();
            var engine = new Engine(jobs, tasks, engineConfig, clock, EngineListener.all(metrics, tracing));
            engine.start();
            var processing = role == Role.GATEWAY ? "elsewhere" : runWorkers ? "running" : "paused";
            var audit = new Audit();
            var authenticator = new Authenticator(store, clock, config.auth().equals("auto"), config.metricsToken(), audit);
            // a store that gateways share keeps each key's bucket, so the rate holds for all of them together
            var rates = store.events().isPresent() ? new RateLimiter(store, clock) : new RateLimiter();
            var api = new HttpApi(engine, config, clock, metrics, tracing, documents, processing, authenticator, rates, audit);
            var http = role == Role.WORKER ? api.createForWorker() : api.create();
            try {
                http.start();
            } catch (RuntimeException e) {
                engine.shutdown(Duration.ZERO);
                throw e;
            }
            var address = "http://" + config.host() + ":" + http.port();
            log.info("Spillway {} listening on {} ({}, {}){}", role.command(), address, describeStore(config, store),
                    runWorkers ? config.workerThreads() + " worker threads" : "no workers",
                    role == Role.WORKER ? "" : "; dashboard at " + address + "/ui");
            var sampler = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().daemon(true).name("spillway-metrics").unstarted(r));
            sampler.scheduleWithFixedDelay(() -> sampleStore(engine, metrics), 0, 2, TimeUnit.SECONDS);
            return new SpillwayServer(config, store, engine, api, http, sampler, tracing, models, extractor);
        } catch (RuntimeException e) {
            if (models != null) {
                models.close();
            }
            if (extractor != null) {
                extractor.close(ForkedExtractor::close);
            }
            store.close();
            throw e;
        }
    }

    private static List<PipelineSpec> pipelines(ServerConfig config, Set<String> tasks) {
        try {
            return Pipelines.load(config.pipelinesFile(), tasks);
        } catch (PipelineException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The logging set-up a child extraction process gets: the same format as this process. */
    private static List<String> childLogging(ServerConfig config) {
        return config.logFormat().equals("json") ? List.of("-Dlogback.configurationFile=logback-json.xml") : List.of();
    }

    /** Where Jetty spools large multipart uploads while they arrive. */
    private static void createUploadsDirectory(ServerConfig config) {
        try {
            Files.createDirectories(config.dataDir().resolve("uploads"));
        } catch (IOException e) {
            throw new ConfigException("cannot create the uploads directory in the data directory "
                    + config.dataDir() + ": " + e.getMessage());
        }
    }

    /**
     * Protected mode: until an API key exists the API is open to whoever reaches it, so it listens
     * only on a loopback address unless {@code --auth none} says to run it open.
     *
     * @throws ConfigException naming the ways out
     */
    static void requireProtected(ServerConfig config, KeyStore keys) {
        if (!config.auth().equals("auto")) {
            return;
        }
        boolean loopback;
        try {
            loopback = InetAddress.getByName(config.host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("invalid host: " + config.host() + " cannot be resolved");
        }
        if (!loopback && !keys.keyExists()) {
            throw new ConfigException("refusing to listen on " + config.host() + ": the API would be open to anyone who "
                    + "can reach it, and it has no API keys yet; create one (spillway keys create --tenant NAME --name "
                    + "NAME), listen on 127.0.0.1 (the default, for this machine or a proxy in front), or pass --auth none "
                    + "(SPILLWAY_AUTH=none) to run it open on purpose");
        }
    }

    /** Opens the configured store and applies its migrations ({@code spillway migrate}). */
    public static JobStore openStore(ServerConfig config, Role role) {
        if (config.store().equals("sqlite")) {
            if (role != Role.SERVE) {
                throw new ConfigException("spillway " + role.command() + " needs a store shared with other processes: "
                        + "set --store postgresql://user@host:5432/database (or SPILLWAY_STORE)");
            }
            return SqliteJobStore.open(config.dataDir().resolve("spillway.db"), config.durability());
        }
        return PostgresJobStore.open(PostgresStoreConfig.parse(config.store(), config.storeSchema(), config.storePoolSize()));
    }

    /**
     * Queue gauges and the store's failed jobs are sampled, not computed per scrape or dashboard
     * poll: counting is proportional to the backlog.
     */
    private static void sampleStore(Engine engine, Metrics metrics) {
        try {
            metrics.sampleQueue(engine.queueStats(), engine.sampledTaskQueues());
            metrics.sampleFailed(engine.failedJobs());
        } catch (RuntimeException e) {
            log.debug("queue sample failed: {}", e.toString());
        }
    }

    private static String describeStore(ServerConfig config, JobStore store) {
        return switch (store) {
            case SqliteJobStore s -> "data in " + config.dataDir().toAbsolutePath().normalize() + ", durability "
                    + config.durability().wireName();
            case PostgresJobStore p -> "PostgreSQL " + p.config().describe();
            default -> store.getClass().getSimpleName();
        };
    }

    private static String workerId(Role role) {
        var host = System.getenv().getOrDefault("HOSTNAME", "host");
        return role.command() + "-" + ProcessHandle.current().pid() + "@" + host;
    }

    public int port() {
        return http.port();
    }

    public Engine engine() {
        return engine;
    }

    /** The API keys in this server's store (what {@code spillway keys} changes), for embedders and tests. */
    public KeyStore keys() {
        return store;
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
        sampler.shutdownNow();
        engine.shutdown(config.drainTimeout());
        api.quiesce(http, Duration.ofSeconds(5));
        http.stop();
        models.close();
        extractor.close(ForkedExtractor::close);
        store.close();
        tracing.close();
        log.info("stopped");
    }

    @Override
    public void close() {
        stop();
    }
}
