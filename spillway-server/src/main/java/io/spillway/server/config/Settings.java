package io.spillway.server.config;

import io.spillway.core.Priority;
import io.spillway.core.store.Budget;
import io.spillway.store.sqlite.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import static io.spillway.server.config.Parsers.bool;
import static io.spillway.server.config.Parsers.budgets;
import static io.spillway.server.config.Parsers.bytesIn;
import static io.spillway.server.config.Parsers.directory;
import static io.spillway.server.config.Parsers.host;
import static io.spillway.server.config.Parsers.identifier;
import static io.spillway.server.config.Parsers.intIn;
import static io.spillway.server.config.Parsers.numberIn;
import static io.spillway.server.config.Parsers.optionalPath;
import static io.spillway.server.config.Parsers.path;
import static io.spillway.server.config.Parsers.secondsIn;
import static io.spillway.server.config.Parsers.secondsPerPriority;
import static io.spillway.server.config.Parsers.secret;
import static io.spillway.server.config.Parsers.storeUrl;
import static io.spillway.server.config.Parsers.weights;

/** Every setting Spillway reads, in the order {@code --help} and the docs list them. */
public final class Settings {
    private Settings() {
    }

    public static final Setting<Integer> PORT = new Setting<>("port",
            "HTTP port to listen on (0 picks a free port)", "8080", intIn(0, 65_535));
    public static final Setting<String> HOST = new Setting<>("host",
            "address to listen on; 127.0.0.1 is this machine only, another address needs an API key or --auth none",
            "127.0.0.1", host());
    public static final Setting<String> AUTH = new Setting<>("auth",
            "auto: every request but health and readiness needs an API key once one exists; until then the API is open "
                    + "for one tenant and listens only on a loopback address (protected mode); none: no keys, open on any "
                    + "address, on purpose", "auto",
            v -> switch (v.strip()) {
                case "auto", "none" -> v.strip();
                default -> throw new IllegalArgumentException("expected auto or none, got '" + v + "'");
            });
    public static final Setting<List<String>> ALLOWED_HOSTS = new Setting<>("allowed_hosts",
            "names clients reach this server by, checked against each request's Host (comma-separated); auto: localhost "
                    + "names and the address listened on, or any name when listening on every address", "auto",
            Parsers.hostNames());
    public static final Setting<String> METRICS_TOKEN = new Setting<>("metrics_token",
            "a token that reads /metrics, /v1/queue and /v1/stats as Authorization: Bearer <token> without an API key (for a "
                    + "scraper or autoscaler), at least 16 characters", "none", secret(16));
    public static final Setting<List<String>> CORS_ORIGINS = new Setting<>("cors_origins",
            "origins whose pages may call the API from a browser (comma-separated, such as https://app.example.com); "
                    + "none: CORS off, only this server's own pages", "none", Parsers.origins());
    public static final Setting<Path> ENCRYPTION_KEYS_FILE = new Setting<>("encryption_keys_file",
            "a file of master keys, one '<id> <base64 of 32 bytes>' a line, the first active: turns on encryption at rest "
                    + "of inputs, results, metadata, errors and documents", "none", optionalPath());
    public static final Setting<String> ENCRYPTION_KEYS = new Setting<>("encryption_keys",
            "the master keys themselves, as the key file holds them (lines, or separated by ';'): for an environment "
                    + "variable instead of a file", "none", Parsers.optionalSecretText());
    public static final Setting<Path> DATA_DIR = new Setting<>("data_dir",
            "directory of the embedded store", "./data", directory());
    public static final Setting<String> STORE = new Setting<>("store",
            "sqlite (embedded, in data_dir) or a PostgreSQL URL postgresql://user[:password]@host[:port]/database "
                    + "shared by many processes", "sqlite", storeUrl());
    public static final Setting<String> STORE_SCHEMA = new Setting<>("store_schema",
            "PostgreSQL schema holding Spillway's tables", "spillway", identifier());
    public static final Setting<Integer> STORE_POOL_SIZE = new Setting<>("store_pool_size",
            "PostgreSQL connections per process", "10", intIn(1, 1000));
    public static final Setting<Duration> RETENTION = new Setting<>("retention_seconds",
            "how long finished jobs are kept (seconds, or an ISO-8601 duration such as P7D)", "P7D",
            secondsIn(1, 10 * 365 * 86_400.0));
    public static final Setting<Durability> DURABILITY = new Setting<>("durability",
            "crash: a committed job survives the process being killed; fsync: every commit is also fsynced and survives power loss",
            "crash", Durability::fromWire);
    public static final Setting<Long> MAX_BODY_BYTES = new Setting<>("max_body_bytes",
            "largest request body accepted (bytes; units KiB, MiB, GiB allowed)", "1MiB", bytesIn(1024, 1L << 30));
    public static final Setting<Duration> MAX_WAIT = new Setting<>("max_wait_seconds",
            "longest ?wait= a status request may hold", "60", secondsIn(0, 3600));
    public static final Setting<Integer> DEFAULT_MAX_ATTEMPTS = new Setting<>("default_max_attempts",
            "attempts a job gets when it does not say", "3", intIn(1, 100));
    public static final Setting<Duration> DRAIN_TIMEOUT = new Setting<>("drain_timeout_seconds",
            "on SIGTERM, how long running jobs may finish before they are handed back to the queue", "30", secondsIn(0, 3600));
    public static final Setting<Duration> LEASE = new Setting<>("lease_seconds",
            "how long a claim holds without renewal; a job whose worker died runs again after it", "30", secondsIn(1, 86_400));
    public static final Setting<Integer> WORKER_THREADS = new Setting<>("worker_threads",
            "threads running task handlers (by default one per core)",
            String.valueOf(Runtime.getRuntime().availableProcessors()), intIn(1, 1024));
    public static final Setting<Boolean> WORKERS = new Setting<>("workers",
            "run jobs in this process; false only accepts and stores them (processing paused)", "true", bool());
    public static final Setting<Integer> MAX_IN_FLIGHT = new Setting<>("max_in_flight",
            "jobs claimed and running at most", "1024", intIn(1, 1_000_000));
    public static final Setting<Integer> ACCEPT_QUEUE = new Setting<>("accept_queue",
            "submitted jobs waiting for their commit at most; beyond it POST answers 503", "65536", intIn(1, 10_000_000));
    public static final Setting<Duration> PRIORITY_AGING = new Setting<>("priority_aging_seconds",
            "waiting worth one priority class: a batch job goes ahead of interactive jobs that arrive about twice this "
                    + "after it, so no class starves", "60", secondsIn(0.001, 86_400));
    public static final Setting<Map<String, Integer>> TENANT_WEIGHTS = new Setting<>("tenant_weights",
            "each tenant's share of a busy task, as tenant=weight pairs separated by commas (a tenant not named has "
                    + "weight 1)", "none", weights(100));
    public static final Setting<Map<Priority, Duration>> MAX_QUEUE = new Setting<>("max_queue_seconds",
            "longest a new job may be expected to wait, per priority (batch=600,standard=120) or one number for all; "
                    + "a job that would wait longer is refused with 429 (off: the queue is the buffer)", "off",
            secondsPerPriority(1, 86_400));
    public static final Setting<Integer> MAX_RUNNING_PER_TENANT = new Setting<>("max_running_per_tenant",
            "the most jobs one tenant may have running at once, in every process together; its other jobs wait "
                    + "pending (0: no cap)", "0", intIn(0, 1_000_000));
    public static final Setting<Integer> MAX_PENDING_PER_TENANT = new Setting<>("max_pending_per_tenant",
            "the most jobs one tenant may have waiting, counted in the store so it holds for every gateway together; "
                    + "a submit beyond it is refused with 429 (0: no cap)", "0", intIn(0, 100_000_000));
    public static final Setting<Map<String, Budget>> TENANT_BUDGETS = new Setting<>("tenant_budgets",
            "what each tenant's jobs may cost per UTC day or month, in the price units models are priced in "
                    + "(acme=5/day,*=100/month; * is every tenant not named); each job reserves its estimated cost at submit "
                    + "and a submit beyond the budget is refused with 429", "none", budgets());
    public static final Setting<Double> BUDGET_DEFAULT_RESERVATION = new Setting<>("budget_default_reservation",
            "what a job reserves of its tenant's budget when its task cannot estimate its cost (generate without "
                    + "max_tokens, a pipeline whose later steps read earlier results), in price units", "0.01", numberIn(0, 1e9));
    public static final Setting<Integer> HTTP_THREADS = new Setting<>("http_threads",
            "largest number of HTTP request threads", "200", intIn(8, 10_000));
    public static final Setting<Boolean> VIRTUAL_THREADS = new Setting<>("virtual_threads",
            "handle HTTP requests on virtual threads instead of the http_threads pool (bodies are read before "
                    + "either runs, so a client that sends slowly holds no thread)", "false", bool());
    public static final Setting<Duration> REQUEST_READ_TIMEOUT = new Setting<>("request_read_timeout_seconds",
            "a connection must send a request's complete headers within this of opening or of its previous answer, "
                    + "and the body at min_request_bytes_per_second once it has passed; slower connections are closed",
            "30", secondsIn(0.01, 3600));
    public static final Setting<Long> MIN_REQUEST_BYTES_PER_SECOND = new Setting<>("min_request_bytes_per_second",
            "slowest average rate a request body may arrive at once request_read_timeout_seconds have passed "
                    + "(bytes; units KiB, MiB allowed; 0: no minimum)", "1KiB", bytesIn(0, 1L << 30));
    public static final Setting<Integer> MAX_CONNECTIONS_PER_ADDRESS = new Setting<>("max_connections_per_address",
            "connections one client address may hold open; further ones are closed at once (0: no limit; behind a proxy "
                    + "every client has its address)", "256", intIn(0, 1_000_000));

    public static final Setting<Path> MODELS_DIR = new Setting<>("models_dir",
            "model repository: one directory per model with model.onnx, tokenizer.json and model.yaml (absent: built-in models only)",
            "./models", directory());
    public static final Setting<Integer> BUILTIN_MAX_BATCH = new Setting<>("builtin_max_batch",
            "texts per call of the built-in model: 1 keeps every text's vector independent of its neighbours; "
                    + "8 is faster under load but moves vectors by about 1% (the model is dynamically quantized)", "1",
            intIn(1, 64));
    public static final Setting<Double> BUILTIN_PRICE = new Setting<>("builtin_price_per_compute_second",
            "what a second of the built-in model's compute costs, for usage.cost (repository models set theirs in model.yaml)",
            "0", numberIn(0, 1_000_000));
    public static final Setting<Integer> MAX_TEXT_CHARS = new Setting<>("max_text_chars",
            "longest text for embed (each text) and classify", "20000", intIn(1, 10_000_000));
    public static final Setting<Integer> MAX_DOCUMENT_CHARS = new Setting<>("max_document_chars",
            "longest text for summarize and sentiment, and the most text extract keeps from a document", "1000000",
            intIn(1, 100_000_000));
    public static final Setting<Long> MAX_UPLOAD_BYTES = new Setting<>("max_upload_bytes",
            "largest document accepted by POST /v1/documents (bytes; units KiB, MiB, GiB allowed)", "50MiB",
            bytesIn(1024, 1L << 34));
    public static final Setting<Duration> EXTRACT_TIMEOUT = new Setting<>("extract_timeout_seconds",
            "longest one document's text extraction may take; then its job fails with that reason", "60",
            secondsIn(0.001, 3600));
    public static final Setting<Long> MAX_EXPANDED_PART_BYTES = new Setting<>("max_expanded_part_bytes",
            "largest size one part of a docx, xlsx or pptx may expand to during extraction; beyond it, or expanding more than "
                    + "500 times, the document is refused as a zip bomb (bytes; units KiB, MiB, GiB allowed)", "128MiB",
            bytesIn(1L << 20, 1L << 34));
    public static final Setting<Integer> EXTRACT_PROCESSES = new Setting<>("extract_processes",
            "child processes extracting documents, one document each at a time; more extractions wait", "2", intIn(1, 256));
    public static final Setting<Long> EXTRACT_HEAP_BYTES = new Setting<>("extract_heap_bytes",
            "heap of each extraction process; a document needing more fails its job (bytes; units KiB, MiB, GiB allowed)",
            "256MiB", bytesIn(160L << 20, 1L << 36));
    public static final Setting<Path> PIPELINES_FILE = new Setting<>("pipelines_file",
            "YAML file defining pipelines (tasks made of other tasks); absent: the built-in document pipeline only",
            "./pipelines.yaml", path());

    public static final Setting<String> LOG_FORMAT = new Setting<>("log_format",
            "text: one readable line per event; json: one JSON object per line with job_id, task, attempt", "text",
            v -> switch (v.strip()) {
                case "text", "json" -> v.strip();
                default -> throw new IllegalArgumentException("expected text or json, got '" + v + "'");
            });

    public static final List<Setting<?>> ALL = List.of(PORT, HOST, AUTH, ALLOWED_HOSTS, METRICS_TOKEN, CORS_ORIGINS, ENCRYPTION_KEYS_FILE, ENCRYPTION_KEYS, DATA_DIR, STORE, STORE_SCHEMA, STORE_POOL_SIZE,
            RETENTION, DURABILITY, MAX_BODY_BYTES, MAX_WAIT,
            DEFAULT_MAX_ATTEMPTS, DRAIN_TIMEOUT, LEASE, WORKERS, WORKER_THREADS, MAX_IN_FLIGHT, ACCEPT_QUEUE,
            PRIORITY_AGING, TENANT_WEIGHTS, MAX_QUEUE, MAX_RUNNING_PER_TENANT, MAX_PENDING_PER_TENANT, TENANT_BUDGETS,
            BUDGET_DEFAULT_RESERVATION, HTTP_THREADS,
            VIRTUAL_THREADS, REQUEST_READ_TIMEOUT, MIN_REQUEST_BYTES_PER_SECOND, MAX_CONNECTIONS_PER_ADDRESS, MODELS_DIR, BUILTIN_MAX_BATCH, BUILTIN_PRICE, MAX_TEXT_CHARS, MAX_DOCUMENT_CHARS, MAX_UPLOAD_BYTES, EXTRACT_TIMEOUT,
            MAX_EXPANDED_PART_BYTES, EXTRACT_PROCESSES, EXTRACT_HEAP_BYTES, PIPELINES_FILE, LOG_FORMAT);
}
