package io.spillway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks an answer of the API against the OpenAPI document the server serves: the status is one
 * the route lists, the media type one that status lists, and a JSON body matches its schema
 * (JSON Schema 2020-12, OpenAPI 3.1 dialect). A completed job's {@code result} is also checked
 * against the schema its task's {@code x-result-by-task} names.
 *
 * <p>Stricter than the document in one way: an object schema that lists {@code properties} and
 * says nothing of others is closed here, so a field the server sends that the document does not
 * name fails the check. A schema the document declares open ({@code additionalProperties: true},
 * e.g. a job's result or metadata) stays open.
 *
 * <p>{@link TestServer} checks every answer it receives. Thread-safe.
 */
public final class OpenApiResponses {
    private static final String DOCUMENT = "io/spillway/server/http/openapi.json";
    private static final String IRI = "https://spillway.example/openapi.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OpenApiResponses INSTANCE = new OpenApiResponses();

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final List<DocumentedRoute> routes = new ArrayList<>();
    private final JsonNode resultByTask;

    private record DocumentedRoute(String template, Pattern pattern) {
    }

    private OpenApiResponses() {
        try (var in = OpenApiResponses.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DOCUMENT);
            }
            document = MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var strict = document.deepCopy();
        close(strict);
        registry = SchemaRegistry.withDialect(Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(IRI, strict.toString())));
        document.get("paths").properties().forEach(e -> routes.add(new DocumentedRoute(e.getKey(),
                Pattern.compile(Pattern.quote(e.getKey()).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q")))));
        resultByTask = document.at("/components/schemas/JobResult/x-result-by-task");
    }

    /** The checker for the document in the server's resources. */
    public static OpenApiResponses get() {
        return INSTANCE;
    }

    /**
     * Throws an {@link AssertionError} that names the route, the status and what is wrong when
     * the answer is not what the document describes.
     *
     * @param contentType the answer's Content-Type header, or null
     */
    public void check(String method, String path, int status, String contentType, String body) {
        if (method.equals("HEAD") || method.equals("OPTIONS")) {
            return;
        }
        var route = route(method, path);
        var mediaType = contentType == null ? null : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (route == null) {
            // no documented route: the one error mapper answers with a problem
            var problems = body.isEmpty() ? List.<String>of() : "application/problem+json".equals(mediaType)
                    ? validate("#/components/schemas/Problem", body) : List.of("media type " + mediaType);
            if (!problems.isEmpty()) {
                fail(method, path, status, "is not a documented route, so its answer must be a problem", problems, body);
            }
            return;
        }
        var operation = "/paths/" + escape(route) + "/" + method.toLowerCase(Locale.ROOT);
        var responsePointer = operation + "/responses/" + status;
        var response = document.at(responsePointer);
        if (response.isMissingNode()) {
            fail(method, route, status, "is a status the document does not list for the route", List.of(), body);
        }
        if (response.has("$ref")) {
            responsePointer = response.get("$ref").asText().substring(1);
            response = document.at(responsePointer);
        }
        var content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return;
        }
        if (mediaType == null || !content.has(mediaType)) {
            var listed = new ArrayList<String>();
            content.fieldNames().forEachRemaining(listed::add);
            fail(method, route, status, "has media type " + mediaType + "; the document lists " + listed, List.of(), body);
        }
        if (!mediaType.endsWith("json")) {
            return;
        }
        var problems = new ArrayList<>(validate("#" + responsePointer + "/content/" + escape(mediaType) + "/schema", body));
        if (problems.isEmpty()) {
            problems.addAll(checkResults(body));
        }
        if (!problems.isEmpty()) {
            fail(method, route, status, "does not match the document", problems, body);
        }
    }

    private String route(String method, String path) {
        var normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (var route : routes) {
            if (route.template().equals(normalized) && documents(route.template(), method)) {
                return route.template();
            }
        }
        for (var route : routes) {
            if (route.pattern().matcher(normalized).matches() && documents(route.template(), method)) {
                return route.template();
            }
        }
        return null;
    }

    private boolean documents(String template, String method) {
        return document.get("paths").get(template).has(method.toLowerCase(Locale.ROOT));
    }

    /** Each completed job in the body (a job, or a page of them) against its task's result schema. */
    private List<String> checkResults(String body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        var jobs = new ArrayList<JsonNode>();
        if (root.has("job_id") && root.has("result")) {
            jobs.add(root);
        }
        root.path("jobs").forEach(jobs::add);
        var problems = new ArrayList<String>();
        for (var job : jobs) {
            var ref = resultByTask.path(job.path("task").asText()).path("$ref");
            if (job.path("status").asText().equals("completed") && ref.isTextual()) {
                validate(ref.asText(), job.get("result").toString())
                        .forEach(p -> problems.add("result of " + job.path("task").asText() + " job: " + p));
            }
        }
        return problems;
    }

    private List<String> validate(String fragment, String json) {
        var schema = schemas.computeIfAbsent(fragment, f -> registry.getSchema(SchemaLocation.of(IRI + f)));
        return schema.validate(json, InputFormat.JSON).stream().map(Error::toString).toList();
    }

    private static void fail(String method, String route, int status, String what, List<String> problems, String body) {
        var shown = body.length() > 2000 ? body.substring(0, 2000) + "…" : body;
        throw new AssertionError(method + " " + route + " answered " + status + ", which " + what
                + (problems.isEmpty() ? "" : ":\n  " + String.join("\n  ", problems)) + "\nbody: " + shown);
    }

    /** A JSON Pointer token: {@code ~} and {@code /} escaped. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    /** Closes every object schema that lists properties and does not say whether others may appear. */
    private static void close(JsonNode node) {
        if (node.isObject()) {
            var object = (ObjectNode) node;
            if (object.path("properties").isObject() && !object.has("additionalProperties")
                    && !object.has("unevaluatedProperties")) {
                object.put("additionalProperties", false);
            }
            object.forEach(OpenApiResponses::close);
        } else if (node.isArray()) {
            node.forEach(OpenApiResponses::close);
        }
    }
}
