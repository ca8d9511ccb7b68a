package io.spillway.server.http;

import static io.spillway.server.TestKeys.bearer;
import static io.spillway.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.core.keys.ApiKeys;
import io.spillway.core.keys.KeyScope;
import io.spillway.server.RawHttp;
import io.spillway.server.TestKeys;
import io.spillway.server.TestServer;
import io.spillway.server.auth.Authenticator;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys over HTTP: open until the first key, then a key on every route but the public ones, and scopes. */
class AuthIT {
    private static final String ECHO = "{\"task\": \"echo\", \"input\": {}}";
    private static final Duration SOON = Authenticator.REFRESH.multipliedBy(3);

    @TempDir
    Path dir;
    TestServer api;

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    private TestServer start(Map<String, String> settings) {
        api = TestServer.start(dir.resolve("data"), settings, List.of());
        return api;
    }

    /** Waits until the keys just made are seen: the first one closes the open API within moments. */
    private void keysOn() {
        await().atMost(SOON).until(() -> api.get("/healthz").statusCode() == 200 && api.get("/v1/jobs").statusCode() == 401);
    }

    private static void assertRefused(HttpResponse<String> r, String detail) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"spillway\"");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(r).get("detail").asText()).contains(detail);
    }

    @Test
    void withoutKeys_theApiIsOpen_andTheFirstKeyClosesItWithinSeconds() {
        start(Map.of());
        var before = api.submit(ECHO);
        assertThat(api.get("/v1/jobs/" + before).statusCode()).isEqualTo(200);

        var key = TestKeys.create(api.server.keys(), "acme");

        await().atMost(SOON).untilAsserted(() -> assertRefused(api.post("/v1/jobs", ECHO), "this API needs a key"));
        assertRefused(api.get("/v1/jobs/" + before), "needs a key");
        assertThat(api.post("/v1/jobs", ECHO, bearer(key)).statusCode()).isEqualTo(202);
        assertThat(api.get("/v1/jobs/" + before, bearer(key)).statusCode())
                .as("the jobs from before belong to tenant default, not to acme").isEqualTo(404);
    }

    @Test
    void everyWrongKey_is401SayingWhy_andPublicRoutesNeedNone() {
        start(Map.of());
        var keys = api.server.keys();
        var good = TestKeys.create(keys, "acme");
        var revoked = TestKeys.create(keys, "acme");
        keys.keyRevoke(TestKeys.id(revoked), Instant.now());
        var expired = TestKeys.create(keys, "acme", Instant.now().minusSeconds(1), 0);
        var wrongSecret = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
        var unknown = ApiKeys.generate();

        await().atMost(SOON).untilAsserted(() -> assertRefused(api.get("/v1/jobs"), "this API needs a key"));
        assertRefused(api.get("/v1/jobs", "Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"), "Authorization: Bearer");
        assertRefused(api.get("/v1/jobs", bearer("sk-not-a-spillway-key")), "not valid (a key reads spw_");
        assertRefused(api.get("/v1/jobs", bearer(wrongSecret)), "the API key is not valid");
        assertRefused(api.get("/v1/jobs", bearer(unknown)), "the API key is not valid");
        assertRefused(api.get("/v1/jobs", bearer(revoked)), "was revoked");
        assertRefused(api.get("/v1/jobs", bearer(expired)), "expired at");
        assertRefused(api.get("/metrics"), "needs a key");
        assertRefused(api.get("/v1/queue"), "needs a key");
        assertRefused(api.get("/v1/stats"), "needs a key");

        for (var open : List.of("/healthz", "/readyz", "/ui", "/ui/app.js", "/openapi.json")) {
            assertThat(api.get(open).statusCode()).as(open).isEqualTo(200);
        }
        assertThat(api.get("/v1/jobs", "Authorization", "bearer  " + good).statusCode())
                .as("the scheme is case-insensitive").isEqualTo(200);
    }

    @Test
    void aKeyMayDoOnlyWhatItsScopesAllow() {
        start(Map.of("metrics_token", "scrape-token-0123456789"));
        var keys = api.server.keys();
        var reader = TestKeys.create(keys, "acme", KeyScope.READ);
        var submitter = TestKeys.create(keys, "acme", KeyScope.SUBMIT);
        var metrics = TestKeys.create(keys, "acme", KeyScope.METRICS);
        var admin = TestKeys.create(keys, "ops", KeyScope.ADMIN);
        keysOn();

        var submitted = api.post("/v1/jobs", ECHO, bearer(submitter));
        assertThat(submitted.statusCode()).isEqualTo(202);
        var id = json(submitted).get("job_id").asText();
        var noSubmit = api.post("/v1/jobs", ECHO, bearer(reader));
        assertThat(noSubmit.statusCode()).isEqualTo(403);
        assertThat(json(noSubmit).get("detail").asText()).contains("needs the scope 'submit'");
        assertThat(api.get("/v1/jobs/" + id, bearer(submitter)).statusCode()).isEqualTo(403);
        assertThat(api.get("/v1/jobs/" + id, bearer(reader)).statusCode()).isEqualTo(200);
        assertThat(api.get("/metrics", bearer(reader)).statusCode()).isEqualTo(403);
        assertThat(api.get("/metrics", bearer(metrics)).statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/queue", bearer(metrics)).statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/jobs", bearer(metrics)).statusCode()).isEqualTo(403);

        var token = bearer("scrape-token-0123456789");
        assertThat(api.get("/metrics", token).statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/queue", token).statusCode()).isEqualTo(200);
        assertThat(api.get("/v1/jobs", token).statusCode()).as("the scrape token reads no jobs").isEqualTo(403);
        assertThat(api.post("/v1/jobs", ECHO, token).statusCode()).isEqualTo(403);

        for (var path : List.of("/v1/jobs/" + id, "/v1/jobs", "/metrics", "/v1/stats", "/v1/queue")) {
            assertThat(api.get(path, bearer(admin)).statusCode()).as("admin " + path).isEqualTo(200);
        }
        assertThat(api.post("/v1/jobs", ECHO, bearer(admin)).statusCode()).isEqualTo(202);
    }

    @Test
    void aRevokedKey_stopsWorkingWithinSeconds() {
        start(Map.of());
        var key = TestKeys.create(api.server.keys(), "acme");
        keysOn();
        assertThat(api.get("/v1/jobs", bearer(key)).statusCode()).isEqualTo(200);

        api.server.keys().keyRevoke(TestKeys.id(key), Instant.now());

        await().atMost(SOON).untilAsserted(() -> assertRefused(api.get("/v1/jobs", bearer(key)), "was revoked"));
    }

    @Test
    void aKeyOverItsRate_isRefusedWith429NamingTheLimit_andMayGoOnOnceTheBucketRefills() {
        start(Map.of());
        var key = TestKeys.create(api.server.keys(), "acme", null, 2, KeyScope.READ);
        keysOn();

        var answers = new java.util.ArrayList<HttpResponse<String>>();
        for (int i = 0; i < 6; i++) {
            answers.add(api.get("/v1/jobs", bearer(key)));
        }
        var refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(answers.getFirst().statusCode()).isEqualTo(200);
        assertThat(refused).as("two at once, then two a second").hasSizeBetween(3, 4);
        var r = refused.getFirst();
        assertThat(json(r).get("detail").asText()).contains("over its rate limit of 2 requests a second");
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(r.headers().firstValue("RateLimit-Policy")).hasValue("\"key\";q=2;w=1");
        assertThat(r.headers().firstValue("RateLimit")).hasValue("\"key\";r=0;t=1");

        await().atMost(Duration.ofSeconds(3)).until(() -> api.get("/v1/jobs", bearer(key)).statusCode() == 200);
    }

    @Test
    void aTenantAtItsPendingCap_isRefusedWith429_andAnotherTenantIsNot() {
        start(Map.of("workers", "false", "max_pending_per_tenant", "3"));
        var acme = TestKeys.create(api.server.keys(), "acme");
        var beta = TestKeys.create(api.server.keys(), "beta");
        keysOn();
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/v1/jobs", ECHO, bearer(acme)).statusCode()).isEqualTo(202);
        }
        var again = api.post("/v1/jobs", ECHO, "Authorization", "Bearer " + acme, "Idempotency-Key", "k");

        assertThat(again.statusCode()).isEqualTo(429);
        assertThat(json(again).get("detail").asText()).isEqualTo("tenant acme has 3 jobs waiting, its limit "
                + "(max_pending_per_tenant 3); submit again once some have started");
        assertThat(again.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(again.headers().firstValue("RateLimit-Policy")).hasValue("\"pending\";q=3");
        assertThat(api.post("/v1/jobs", ECHO, bearer(beta)).statusCode()).isEqualTo(202);
        assertThat(json(api.get("/v1/jobs", bearer(acme))).get("jobs")).hasSize(3);
    }

    @Test
    void aRequestWithoutAWorkingKey_isRefusedBeforeItsBodyIsRead() throws Exception {
        start(Map.of());
        TestKeys.create(api.server.keys(), "acme");
        keysOn();
        // headers announcing a 40 MiB upload, and not a byte of it: were the body waited for, no answer would come
        for (var auth : List.of("", "Authorization: Bearer " + ApiKeys.generate() + "\r\n")) {
            try (var http = new RawHttp(api.server.port(), Duration.ofSeconds(10))) {
                var r = http.send("POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                        + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 41943040\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(401);
                assertThat(r.header("www-authenticate")).isNotNull();
                assertThat(r.header("connection")).isEqualTo("close");
            }
        }
    }
}
