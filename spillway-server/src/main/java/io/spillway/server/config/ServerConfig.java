package io.spillway.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spillway.core.engine.SchedulingPolicy;
import io.spillway.core.store.Budget;
import io.spillway.core.store.Budgets;
import io.spillway.store.sqlite.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The server's settings, resolved once at start: a flag wins over an environment variable,
 * which wins over {@code spillway.yaml}, which wins over the default. A bad value stops the
 * start with a {@link ConfigException} naming the setting and where the value came from.
 */
public record ServerConfig(
        int port,
        String host,
        Path dataDir,
        String store,
        String storeSchema,
        int storePoolSize,
        Duration retention,
        Durability durability,
        long maxBodyBytes,
        Duration maxWait,
        int defaultMaxAttempts,
        Duration drainTimeout,
        Duration lease,
        boolean workers,
        int workerThreads,
        int maxInFlight,
        int acceptQueue,
        int httpThreads,
        boolean virtualThreads,
        Duration requestReadTimeout,
        long minRequestBytesPerSecond,
        int maxConnectionsPerAddress,
        String logFormat,
        Path modelsDir,
        int maxTextChars,
        int maxDocumentChars,
        long maxUploadBytes,
        Duration extractTimeout,
        long maxExpandedPartBytes,
        int extractProcesses,
        long extractHeapBytes,
        Path pipelinesFile,
        int builtinMaxBatch,
        double builtinPricePerComputeSecond,
        SchedulingPolicy scheduling,
        Access access,
        Encryption encryption) {

    /** Name of the environment variable and flag that point at a config file. */
    public static final String CONFIG_ENV = "SPILLWAY_CONFIG";
    public static final String DEFAULT_CONFIG_FILE = "spillway.yaml";
    private static final long MAX_CONFIG_BYTES = 1 << 20;
    /** A key given twice is an error, not "the last one wins". */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    /** Jackson's text for a duplicate key. */
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

    /**
     * The {@code SPILLWAY_} variables Spillway reads besides the settings': the config file, the
     * launcher script's ({@code spillway}), the log level (Logback's configuration) and the model
     * of the zero-config OpenAI text model. {@code SPILLWAY_TEST_} variables belong to the tests.
     */
    public static final Set<String> OTHER_ENV = Set.of(CONFIG_ENV, "SPILLWAY_JAVA_OPTS", "SPILLWAY_SKIP_BUILD", "SPILLWAY_AOT",
            "SPILLWAY_LOG_LEVEL", "SPILLWAY_OPENAI_MODEL");
    private static final String ENV_PREFIX = "SPILLWAY_";
    private static final String TEST_ENV_PREFIX = "SPILLWAY_TEST_";

    /**
     * One warning for each {@code SPILLWAY_} variable in {@code env} that nothing reads (a typo,
     * most likely), naming the nearest variable that is read; sorted by name.
     */
    public static List<String> unknownEnvironment(Map<String, String> env) {
        var known = new TreeSet<>(OTHER_ENV);
        Settings.ALL.forEach(s -> known.add(s.envName()));
        var warnings = new ArrayList<String>();
        for (var name : new TreeSet<>(env.keySet())) {
            if (name.startsWith(ENV_PREFIX) && !name.startsWith(TEST_ENV_PREFIX) && !known.contains(name)) {
                warnings.add("environment variable " + name + " is not a Spillway setting and is ignored"
                        + NearestName.among(name, known).map(n -> "; did you mean " + n + "?").orElse(""));
            }
        }
        return warnings;
    }

    /** All defaults; for tests and embedding. */
    public static ServerConfig defaults() {
        return of(Map.of());
    }

    /**
     * Resolves every setting.
     *
     * @param flags      values given as flags, by setting key
     * @param env        the process environment
     * @param configFile an explicit config file (must exist), or null to read
     *                   {@code spillway.yaml} from the working directory when present
     * @throws ConfigException on the first bad value or an unreadable config file
     */
    public static ServerConfig load(Map<String, String> flags, Map<String, String> env, Path configFile) {
        var explicit = configFile != null ? configFile : env.containsKey(CONFIG_ENV) ? Path.of(env.get(CONFIG_ENV)) : null;
        Map<String, String> yaml;
        String yamlName;
        if (explicit != null) {
            yaml = readYaml(explicit);
            yamlName = explicit.toString();
        } else if (Files.isRegularFile(Path.of(DEFAULT_CONFIG_FILE))) {
            yaml = readYaml(Path.of(DEFAULT_CONFIG_FILE));
            yamlName = DEFAULT_CONFIG_FILE;
        } else {
            yaml = Map.of();
            yamlName = null;
        }
        return resolve(new Resolver(flags, env, yaml, yamlName));
    }

    private static ServerConfig resolve(Resolver r) {
        return new ServerConfig(
                r.get(Settings.PORT), r.get(Settings.HOST), r.get(Settings.DATA_DIR), r.get(Settings.STORE),
                r.get(Settings.STORE_SCHEMA), r.get(Settings.STORE_POOL_SIZE), r.get(Settings.RETENTION),
                r.get(Settings.DURABILITY),
                r.get(Settings.MAX_BODY_BYTES), r.get(Settings.MAX_WAIT), r.get(Settings.DEFAULT_MAX_ATTEMPTS),
                r.get(Settings.DRAIN_TIMEOUT), r.get(Settings.LEASE), r.get(Settings.WORKERS), r.get(Settings.WORKER_THREADS),
                r.get(Settings.MAX_IN_FLIGHT), r.get(Settings.ACCEPT_QUEUE), r.get(Settings.HTTP_THREADS),
                r.get(Settings.VIRTUAL_THREADS), r.get(Settings.REQUEST_READ_TIMEOUT),
                r.get(Settings.MIN_REQUEST_BYTES_PER_SECOND), r.get(Settings.MAX_CONNECTIONS_PER_ADDRESS), r.get(Settings.LOG_FORMAT), r.get(Settings.MODELS_DIR),
                r.get(Settings.MAX_TEXT_CHARS), r.get(Settings.MAX_DOCUMENT_CHARS), r.get(Settings.MAX_UPLOAD_BYTES),
                r.get(Settings.EXTRACT_TIMEOUT), r.get(Settings.MAX_EXPANDED_PART_BYTES),
                r.get(Settings.EXTRACT_PROCESSES), r.get(Settings.EXTRACT_HEAP_BYTES), r.get(Settings.PIPELINES_FILE), r.get(Settings.BUILTIN_MAX_BATCH),
                r.get(Settings.BUILTIN_PRICE),
                new SchedulingPolicy(r.get(Settings.PRIORITY_AGING), r.get(Settings.TENANT_WEIGHTS), r.get(Settings.MAX_QUEUE),
                        r.get(Settings.MAX_RUNNING_PER_TENANT), r.get(Settings.MAX_PENDING_PER_TENANT),
                        budgets(r.get(Settings.TENANT_BUDGETS), r.get(Settings.BUDGET_DEFAULT_RESERVATION))),
                new Access(r.get(Settings.AUTH), r.get(Settings.ALLOWED_HOSTS), r.get(Settings.METRICS_TOKEN),
                        r.get(Settings.CORS_ORIGINS)),
                new Encryption(r.get(Settings.ENCRYPTION_KEYS_FILE), r.get(Settings.ENCRYPTION_KEYS)));
    }

    /** The budgets of {@code tenant_budgets}, where {@code *} is every tenant not named. */
    private static Budgets budgets(Map<String, Budget> byName, double defaultReservation) {
        var named = new LinkedHashMap<>(byName);
        var otherwise = named.remove("*");
        return named.isEmpty() && otherwise == null ? Budgets.NONE : new Budgets(named, otherwise, Budget.nanos(defaultReservation));
    }

    /** {@code auto} (keys once one exists) or {@code none}. */
    public String auth() {
        return access.auth();
    }

    public List<String> allowedHosts() {
        return access.allowedHosts();
    }

    public List<String> corsOrigins() {
        return access.corsOrigins();
    }

    /** The token that reads metrics without a key, or null. */
    public String metricsToken() {
        return access.metricsToken();
    }

    /** A config from settings given as text, like flags, over the defaults; reads no file or environment. */
    public static ServerConfig of(Map<String, String> settings) {
        return resolve(new Resolver(settings, Map.of(), Map.of(), null));
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(p, host, dataDir, store, storeSchema, storePoolSize, retention, durability, maxBodyBytes, maxWait, defaultMaxAttempts, drainTimeout,
                lease, workers, workerThreads, maxInFlight, acceptQueue, httpThreads, virtualThreads, requestReadTimeout,
                minRequestBytesPerSecond, maxConnectionsPerAddress, logFormat, modelsDir,
                maxTextChars, maxDocumentChars, maxUploadBytes, extractTimeout, maxExpandedPartBytes, extractProcesses, extractHeapBytes, pipelinesFile, builtinMaxBatch,
                builtinPricePerComputeSecond, scheduling, access, encryption);
    }

    public ServerConfig withDataDir(Path d) {
        return new ServerConfig(port, host, d, store, storeSchema, storePoolSize, retention, durability, maxBodyBytes, maxWait, defaultMaxAttempts, drainTimeout,
                lease, workers, workerThreads, maxInFlight, acceptQueue, httpThreads, virtualThreads, requestReadTimeout,
                minRequestBytesPerSecond, maxConnectionsPerAddress, logFormat, modelsDir,
                maxTextChars, maxDocumentChars, maxUploadBytes, extractTimeout, maxExpandedPartBytes, extractProcesses, extractHeapBytes, pipelinesFile, builtinMaxBatch,
                builtinPricePerComputeSecond, scheduling, access, encryption);
    }

    public ServerConfig withMaxBodyBytes(long n) {
        return new ServerConfig(port, host, dataDir, store, storeSchema, storePoolSize, retention, durability, n, maxWait, defaultMaxAttempts, drainTimeout,
                lease, workers, workerThreads, maxInFlight, acceptQueue, httpThreads, virtualThreads, requestReadTimeout,
                minRequestBytesPerSecond, maxConnectionsPerAddress, logFormat, modelsDir,
                maxTextChars, maxDocumentChars, maxUploadBytes, extractTimeout, maxExpandedPartBytes, extractProcesses, extractHeapBytes, pipelinesFile, builtinMaxBatch,
                builtinPricePerComputeSecond, scheduling, access, encryption);
    }

    private record Resolver(Map<String, String> flags, Map<String, String> env, Map<String, String> yaml, String yamlName) {
        <T> T get(Setting<T> s) {
            String value;
            String source;
            if (flags.get(s.key()) != null) {
                value = flags.get(s.key());
                source = s.flag();
            } else if (env.get(s.envName()) != null) {
                value = env.get(s.envName());
                source = "environment variable " + s.envName();
            } else if (yaml.get(s.key()) != null) {
                value = yaml.get(s.key());
                source = s.key() + " in " + yamlName;
            } else {
                value = s.defaultText();
                source = "the default";
            }
            try {
                return s.parser().apply(value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("invalid " + s.key() + " (from " + source + "): " + e.getMessage());
            }
        }
    }

    private static Map<String, String> readYaml(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("config file " + file + " does not exist or is not a file");
            }
            if (Files.size(file) > MAX_CONFIG_BYTES) {
                throw new ConfigException("config file " + file + " is larger than 1 MiB");
            }
            JsonNode root = YAML.readTree(file.toFile());
            var out = new HashMap<String, String>();
            if (root == null || root.isMissingNode() || root.isNull()) {
                return out;
            }
            if (!root.isObject()) {
                throw new ConfigException("config file " + file + " must be a mapping of setting: value");
            }
            var known = new TreeSet<String>();
            Settings.ALL.forEach(s -> known.add(s.key()));
            for (var e : root.properties()) {
                if (!known.contains(e.getKey())) {
                    throw new ConfigException("unknown setting '" + e.getKey() + "' in " + file + "; known settings: "
                            + String.join(", ", known));
                }
                var v = e.getValue();
                if (!v.isValueNode()) {
                    throw new ConfigException("setting " + e.getKey() + " in " + file + " must be a single value");
                }
                if (!v.isNull()) {
                    out.put(e.getKey(), v.asText());
                }
            }
            return out;
        } catch (JacksonException e) {
            var duplicate = DUPLICATE.matcher(e.getOriginalMessage());
            if (duplicate.matches()) {
                var where = e.getLocation() != null && e.getLocation().getLineNr() > 0
                        ? " (line " + e.getLocation().getLineNr() + ")" : "";
                throw new ConfigException("setting '" + duplicate.group(1) + "' is given twice in " + file + where
                        + "; give each setting once");
            }
            throw new ConfigException("config file " + file + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
    }
}
