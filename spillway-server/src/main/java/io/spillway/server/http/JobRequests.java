package io.spillway.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.core.JobIds;
import io.spillway.core.NewJob;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import io.spillway.core.task.TaskRegistry;
import io.spillway.documents.DocumentStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@code POST /v1/jobs} body into a {@link NewJob}, or an {@link ApiException} that says
 * what is wrong: 400 for a body that is not JSON, 422 for JSON that is not a valid job.
 *
 * <p>Two forms: the reference design's {@code {"prompt": "..."}} (task {@code generate}), and
 * {@code {"task", "input", "priority", "deadline", "max_attempts", "metadata", "model"}}.
 * Unknown fields are refused, so a misspelt option is never silently ignored. Thread-safe.
 */
final class JobRequests {
    private static final Set<String> FIELDS = Set.of("prompt", "task", "input", "model", "priority", "deadline",
            "max_attempts", "metadata");
    private static final int MAX_IDEMPOTENCY_KEY = 255;
    private static final int MAX_TASK_NAME = 64;

    private final ObjectMapper mapper;
    private final ObjectMapper canonical;
    private final TaskRegistry tasks;
    private final JobIds ids;
    private final InstantSource clock;
    private final int defaultMaxAttempts;

    JobRequests(ObjectMapper mapper, TaskRegistry tasks, JobIds ids, InstantSource clock, int defaultMaxAttempts) {
        this.mapper = mapper;
        this.canonical = mapper.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
        this.tasks = tasks;
        this.ids = ids;
        this.clock = clock;
        this.defaultMaxAttempts = defaultMaxAttempts;
    }

    /**
     * Parses and validates a request for a job of {@code tenant}.
     *
     * @param idempotencyKey the {@code Idempotency-Key} header, or null
     * @param traceparent    a valid W3C {@code traceparent}, or null
     */
    NewJob parse(String tenant, byte[] body, String idempotencyKey, String traceparent) {
        if (idempotencyKey != null) {
            checkIdempotencyKey(idempotencyKey);
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : ""));
        } catch (Exception e) {
            throw ApiException.badRequest("the body is not valid JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw ApiException.badRequest("the body is empty; send a JSON object such as {\"task\": \"echo\", \"input\": {}}");
        }
        if (!root.isObject()) {
            throw ApiException.unprocessable("the body must be a JSON object, not " + kind(root));
        }
        for (var name : (Iterable<String>) root::fieldNames) {
            if (!FIELDS.contains(name)) {
                throw ApiException.unprocessable("unknown field '" + truncate(name) + "'; allowed fields: "
                        + "prompt, task, input, model, priority, deadline, max_attempts, metadata");
            }
        }

        String task;
        JsonNode input;
        if (root.has("prompt")) {
            if (root.has("task") || root.has("input")) {
                throw ApiException.unprocessable("send either 'prompt' (the short form for task generate) or 'task' with 'input', not both");
            }
            var prompt = root.get("prompt");
            if (!prompt.isTextual()) {
                throw ApiException.unprocessable("'prompt' must be a string, not " + kind(prompt));
            }
            if (prompt.asText().isBlank()) {
                throw ApiException.unprocessable("'prompt' must not be empty");
            }
            task = "generate";
            input = JsonNodeFactory.instance.objectNode().put("prompt", prompt.asText());
        } else {
            var t = root.get("task");
            if (t == null) {
                throw ApiException.unprocessable("'task' is required (or 'prompt' for text generation); tasks here: "
                        + String.join(", ", tasks.names()));
            }
            if (!t.isTextual()) {
                throw ApiException.unprocessable("'task' must be a string, not " + kind(t));
            }
            task = t.asText();
            input = root.get("input");
            if (input == null) {
                throw ApiException.unprocessable("'input' is required: a JSON object with the task's input");
            }
            if (!input.isObject()) {
                throw ApiException.unprocessable("'input' must be a JSON object, not " + kind(input));
            }
        }
        var handler = tasks.handler(task);
        if (handler.isEmpty()) {
            var reason = tasks.unavailableReason(task);
            if (reason.isPresent()) {
                throw ApiException.unprocessable(reason.get());
            }
            throw ApiException.unprocessable("unknown task '" + truncate(task) + "'; tasks here: " + String.join(", ", tasks.names()));
        }
        var model = root.get("model");
        if (model != null && !model.isNull()) {
            if (!model.isTextual()) {
                throw ApiException.unprocessable("'model' must be a string, not " + kind(model));
            }
            if (handler.get().usesModels()) {
                if (input.has("model") && !input.get("model").equals(model)) {
                    throw ApiException.unprocessable("'model' is given twice, differently: at the top level and in 'input'");
                }
                input = ((ObjectNode) input.deepCopy()).set("model", model);
            } else if (!model.asText().equals("auto")) {
                throw ApiException.unprocessable("unknown model '" + truncate(model.asText())
                        + "'; task " + task + " runs without a model here, use \"auto\" or leave 'model' out");
            }
        }
        var priority = priority(root.get("priority"));
        var deadline = deadline(root.get("deadline"));
        int maxAttempts = maxAttempts(root.get("max_attempts"));
        var metadata = root.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            throw ApiException.unprocessable("'metadata' must be a JSON object, not " + kind(metadata));
        }
        var jobInput = JobInput.of((ObjectNode) input); // parsed once: the task validates the tree, the store gets the text
        try {
            handler.get().validate(jobInput);
        } catch (InvalidInputException e) {
            throw ApiException.unprocessable("invalid input for task " + task + ": " + e.getMessage());
        }
        String hash = idempotencyKey == null ? null : hash(root);
        return new NewJob(ids.next(), tenant, task, jobInput, priority, maxAttempts, deadline,
                metadata == null || metadata.isNull() ? null : write(metadata), idempotencyKey, hash, traceparent);
    }

    /** A new job's id, for an upload stored before its job is created. */
    String nextId() {
        return ids.next();
    }

    /**
     * Refuses, before anything is stored, an upload for a task that does not take documents.
     *
     * @throws ApiException 422 naming the tasks that do
     */
    void checkTakesDocuments(String task) {
        var handler = tasks.handler(task);
        if (handler.isEmpty() || !handler.get().takesDocuments()) {
            var takers = tasks.names().stream().filter(n -> tasks.handler(n).map(TaskHandler::takesDocuments).orElse(false))
                    .sorted().toList();
            throw ApiException.unprocessable((handler.isEmpty() ? "unknown task '" + truncate(task) + "'"
                    : "task " + task + " does not take documents") + "; tasks that do: " + String.join(", ", takers));
        }
    }

    /**
     * The job for an uploaded document, under the document's id: task {@code task} (one that takes
     * documents) with input {@code {"document_id"}} and metadata {@code {"filename", "bytes"}}.
     *
     * @param priority the {@code ?priority=} query parameter, or null
     */
    NewJob forDocument(String tenant, String task, DocumentStore.Stored document, String priority, String idempotencyKey,
                       String traceparent) {
        if (idempotencyKey != null) {
            checkIdempotencyKey(idempotencyKey);
        }
        checkTakesDocuments(task);
        var p = priority(priority == null ? null : JsonNodeFactory.instance.textNode(priority));
        var input = JobInput.of(JsonNodeFactory.instance.objectNode().put("document_id", document.id()));
        var metadata = JsonNodeFactory.instance.objectNode().put("filename", document.filename()).put("bytes", document.bytes());
        // a repeated upload under the same key is the same request when it is the same file for the same task
        String hash = idempotencyKey == null ? null
                : hash("document " + task + " " + p.wireName() + " " + document.bytes() + " " + document.filename());
        return new NewJob(document.id(), tenant, task, input, p, defaultMaxAttempts, null, write(metadata),
                idempotencyKey, hash, traceparent);
    }

    private Priority priority(JsonNode node) {
        if (node == null || node.isNull()) {
            return Priority.STANDARD;
        }
        if (!node.isTextual()) {
            throw ApiException.unprocessable("'priority' must be a string: interactive, standard or batch");
        }
        try {
            return Priority.fromWire(node.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.unprocessable(truncate(e.getMessage()));
        }
    }

    private Instant deadline(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.unprocessable("'deadline' must be a string: an RFC 3339 time such as "
                    + "2030-01-01T12:00:00Z, or an ISO-8601 duration from now such as PT30S");
        }
        var text = node.asText().strip();
        var now = clock.instant();
        Instant deadline;
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                var d = Duration.parse(text);
                if (d.isNegative() || d.isZero()) {
                    throw ApiException.unprocessable("'deadline' duration must be positive, was " + truncate(text));
                }
                deadline = now.plus(d);
            } else {
                deadline = OffsetDateTime.parse(text).toInstant();
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw ApiException.unprocessable("'deadline' is not a valid time: '" + truncate(text)
                    + "'; use an RFC 3339 time such as 2030-01-01T12:00:00Z or a duration such as PT30S");
        }
        if (!deadline.isAfter(now)) {
            throw ApiException.unprocessable("'deadline' " + text + " is already in the past");
        }
        if (deadline.isAfter(now.plus(Duration.ofDays(3650)))) {
            throw ApiException.unprocessable("'deadline' is more than 10 years away");
        }
        return deadline;
    }

    private int maxAttempts(JsonNode node) {
        if (node == null || node.isNull()) {
            return defaultMaxAttempts;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1 || node.asInt() > 100) {
            throw ApiException.unprocessable("'max_attempts' must be a whole number from 1 to 100");
        }
        return node.asInt();
    }

    static void checkIdempotencyKey(String key) {
        if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY) {
            throw ApiException.badRequest("the Idempotency-Key header must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw ApiException.badRequest("the Idempotency-Key header may hold only visible ASCII characters");
            }
        }
    }

    private String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JacksonException e) {
            throw ApiException.unprocessable("cannot store the request: " + e.getOriginalMessage());
        }
    }

    /** SHA-256 of the request with object keys sorted: the same request in another key order hashes the same. */
    private String hash(JsonNode root) {
        try {
            var canonicalBytes = canonical.writeValueAsBytes(canonical.treeToValue(root, Map.class));
            return sha256(canonicalBytes);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot hash the request", e);
        }
    }

    /** The request hash of a request that is not a JSON body (a retry of a job, say). */
    static String hash(String request) {
        return sha256(request.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case BINARY, MISSING -> "nothing";
        };
    }

    static String truncate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
