package io.spillway.server.http;

import static io.spillway.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.server.RawHttp;
import io.spillway.server.TestServer;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a browser may do with the API: security headers on every answer, no state changed from another origin. */
class BrowserSafetyIT {
    @TempDir
    static Path dir;
    static TestServer api;

    @BeforeAll
    static void start() {
        api = TestServer.start(dir.resolve("data"), Map.of("workers", "false"), List.of());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String self() {
        var u = api.uri("/");
        return "http://" + u.getHost() + ":" + u.getPort();
    }

    private static HttpResponse<String> postFrom(String origin, String path, String body) {
        return api.send(HttpRequest.newBuilder(api.uri(path)).header("Content-Type", "application/json")
                .header("Origin", origin).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static int jobs() {
        return json(api.get("/v1/jobs?limit=100")).get("jobs").size();
    }

    @Test
    void everyAnswer_carriesTheSecurityHeaders() {
        for (var r : List.of(api.get("/healthz"), api.get("/ui"), api.get("/ui/app.js"), api.get("/v1/jobs/nope"),
                api.get("/nowhere"), api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}"),
                api.post("/v1/jobs", "{\"task\": 7}"))) {
            var h = r.headers();
            assertThat(h.firstValue("Content-Security-Policy")).as(r.uri() + " " + r.statusCode())
                    .hasValue("default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
            assertThat(h.firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(h.firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(h.firstValue("Referrer-Policy")).hasValue("no-referrer");
        }
    }

    @Test
    void aPageOfAnotherOrigin_cannotSubmitCancelOrRetry_andNothingChanges() {
        var id = api.submit("{\"task\": \"echo\", \"input\": {}}");
        int before = jobs();

        for (var origin : List.of("http://evil.example", "null", self().replace("http://", "http://x."),
                self().substring(0, self().lastIndexOf(':')) + ":1", "not a url")) {
            var submit = postFrom(origin, "/v1/jobs", "{\"task\": \"echo\", \"input\": {}}");
            assertThat(submit.statusCode()).as(origin).isEqualTo(403);
            assertThat(submit.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json(submit).get("detail").asText()).contains("a page of another origin");
            assertThat(postFrom(origin, "/v1/jobs/" + id + "/cancel", "").statusCode()).isEqualTo(403);
        }

        assertThat(jobs()).isEqualTo(before);
        assertThat(json(api.get("/v1/jobs/" + id)).get("status").asText()).isEqualTo("pending");
    }

    @Test
    void theServersOwnPages_andClientsThatAreNotBrowsers_changeStateAsBefore() {
        assertThat(postFrom(self(), "/v1/jobs", "{\"task\": \"echo\", \"input\": {}}").statusCode()).isEqualTo(202);
        assertThat(postFrom(self().toUpperCase(), "/v1/jobs", "{\"task\": \"echo\", \"input\": {}}").statusCode()).isEqualTo(202);
        assertThat(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}").statusCode()).as("no Origin").isEqualTo(202);
        assertThat(api.send(HttpRequest.newBuilder(api.uri("/v1/jobs")).header("Origin", "http://evil.example").GET())
                .statusCode()).as("reading is left to the same-origin policy").isEqualTo(200);
    }

    private static RawHttp.Response getWithHost(String host) throws Exception {
        return RawHttp.exchange(api.server.port(), RawHttp.ascii("GET /healthz HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void aRequestUnderANameThisServerDoesNotHave_isRefused_soARebindingPageCannotUseIt() throws Exception {
        int port = api.server.port();
        var foreign = getWithHost("attacker.example:" + port);

        assertThat(foreign.status()).isEqualTo(421);
        assertThat(foreign.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(foreign.text()).contains("does not answer to the name attacker.example (allowed_hosts)");
        for (var host : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LOCALHOST.:" + port, "localhost")) {
            assertThat(getWithHost(host).status()).as(host).isEqualTo(200);
        }
    }

    @Test
    void allowedNames_areTheLocalOnes_theAddressListenedOn_orThisMachinesOnEveryAddress_andTheConfiguredOnes() throws Exception {
        assertThat(BrowserSafety.allowedNames("127.0.0.1", List.of())).containsExactlyInAnyOrder("localhost", "127.0.0.1", "::1");
        assertThat(BrowserSafety.allowedNames("10.1.2.3", List.of())).contains("10.1.2.3", "localhost");
        var everywhere = BrowserSafety.allowedNames("0.0.0.0", List.of());
        assertThat(everywhere).as("a rebinding page's name is not among them").isNotNull()
                .contains("localhost", InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT))
                .doesNotContain("attacker.example");
        assertThat(BrowserSafety.allowedNames("::", List.of())).isNotNull().contains("::1");
        assertThat(BrowserSafety.allowedNames("0.0.0.0", List.of("api.example.com", "API.Example.org."))).contains(
                "api.example.com", "api.example.org", "localhost");
        assertThat(BrowserSafety.allowedNames("127.0.0.1", List.of("*"))).isNull();
    }

    @Test
    void jettysOwnErrorAnswers_carryTheHeadersToo() throws Exception {
        var bad = RawHttp.exchange(api.server.port(), RawHttp.ascii("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Length: nine\r\n\r\n"));

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Content-Security-Policy")).isEqualTo(BrowserSafety.CONTENT_SECURITY_POLICY);
        assertThat(bad.header("X-Frame-Options")).isEqualTo("DENY");
    }

    @Test
    void configuredCorsOrigins_mayCallTheApiFromAPage_andNoOtherOriginMay() throws Exception {
        try (var cors = TestServer.start(dir.resolve("cors"), Map.of("workers", "false", "cors_origins",
                "https://app.example.com, http://localhost:3000"), List.of())) {
            var preflight = cors.client.send(HttpRequest.newBuilder(cors.uri("/v1/jobs"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example.com")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization, content-type").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow()).contains("Authorization");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

            var fromApp = cors.send(HttpRequest.newBuilder(cors.uri("/v1/jobs")).header("Content-Type", "application/json")
                    .header("Origin", "http://localhost:3000").POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"echo\", \"input\": {}}")));
            assertThat(fromApp.statusCode()).isEqualTo(202);
            assertThat(fromApp.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:3000");
            assertThat(fromApp.headers().firstValue("Access-Control-Expose-Headers").orElseThrow()).contains("Location");

            var foreign = cors.send(HttpRequest.newBuilder(cors.uri("/v1/jobs")).header("Content-Type", "application/json")
                    .header("Origin", "https://evil.example").POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"echo\", \"input\": {}}")));
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(api.get("/v1/jobs").headers().firstValue("Access-Control-Allow-Origin")).as("off by default").isEmpty();
        }
    }
}
