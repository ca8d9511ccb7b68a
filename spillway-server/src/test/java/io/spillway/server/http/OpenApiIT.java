package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.server.TestServer;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps /openapi.json true: it describes exactly the routes served, and the statuses they answer. */
class OpenApiIT {
    @TempDir
    static Path dir;
    static TestServer api;
    static JsonNode spec;

    @BeforeAll
    static void start() {
        api = TestServer.start(dir);
        var r = api.get("/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        spec = TestServer.json(r);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void document_isOpenApi31() {
        assertThat(spec.get("openapi").asText()).isEqualTo("3.1.0");
    }

    @Test
    void everyRouteIsDocumentedAndNothingElse() {
        Set<String> documented = new HashSet<>();
        spec.get("paths").properties().forEach(p -> p.getValue().fieldNames()
                .forEachRemaining(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
        Set<String> served = new HashSet<>();
        RouteTable.ROUTES.forEach(r -> served.add(r.method() + " " + r.openApiPath()));

        assertThat(documented).isEqualTo(served);
    }

    @Test
    void everyRouteIsServed_andItsAnswerIsADocumentedStatus() {
        var id = api.submit("{\"task\": \"echo\", \"input\": {}}");
        api.awaitJob(id);
        for (var route : RouteTable.ROUTES) {
            var path = route.path().replace("{id}", id).replace("{file}", "app.js");
            var request = HttpRequest.newBuilder(api.uri(path));
            if (route.method().equals("POST")) {
                request.POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"echo\", \"input\": {}}"))
                        .header("Content-Type", "application/json");
            }
            var r = api.send(request);
            var responses = spec.get("paths").get(route.openApiPath()).get(route.method().toLowerCase(Locale.ROOT)).get("responses");

            assertThat(r.statusCode()).as(route + " answered " + r.body()).isNotIn(404, 405);
            assertThat(responses.has(String.valueOf(r.statusCode())))
                    .as("%s answered %d, which the document does not list", route, r.statusCode()).isTrue();
        }
    }

    @Test
    void everyReferenceResolves() {
        var refs = new HashSet<String>();
        collectRefs(spec, refs);
        for (var ref : refs) {
            assertThat(ref).startsWith("#/");
            JsonNode node = spec;
            for (var part : ref.substring(2).split("/")) {
                node = node.get(part);
                assertThat(node).as("unresolved " + ref).isNotNull();
            }
        }
    }

    private static void collectRefs(JsonNode node, Set<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, out));
        }
    }
}
