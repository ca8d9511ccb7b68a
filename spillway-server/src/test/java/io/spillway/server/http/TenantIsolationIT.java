package io.spillway.server.http;

import static io.spillway.server.TestKeys.bearer;
import static io.spillway.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spillway.core.keys.KeyScope;
import io.spillway.server.GateTask;
import io.spillway.server.TestKeys;
import io.spillway.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants, every route, every id: a seeded random walk in which neither ever sees anything of
 * the other's (a 404 for another's job, never a 403; nothing of it in a listing, a cursor's pages
 * or an idempotency key), while an admin key sees both.
 */
class TenantIsolationIT {
    private static final long SEED = 20261203L;
    private static final List<String> TENANTS = List.of("alpha", "beta");

    @TempDir
    static Path dir;
    static TestServer api;
    static final Map<String, String> keys = new HashMap<>();
    static final Map<String, Set<String>> owned = new HashMap<>();
    static final Map<String, String> uploads = new HashMap<>();
    static String admin;
    static final GateTask gate = new GateTask();

    @BeforeAll
    static void start() {
        api = TestServer.start(dir.resolve("data"), Map.of(), List.of(gate));
        for (var t : TENANTS) {
            keys.put(t, TestKeys.create(api.server.keys(), t));
            owned.put(t, new HashSet<>());
        }
        admin = TestKeys.create(api.server.keys(), "ops", KeyScope.ADMIN);
        // the first key closes the open server within the keys' refresh: until then every request is tenant default's
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/jobs").statusCode() == 401);
    }

    @AfterAll
    static void stop() {
        gate.open();
        api.close();
    }

    private static String[] as(String tenant) {
        return bearer(keys.get(tenant));
    }

    private static String other(String tenant) {
        return tenant.equals("alpha") ? "beta" : "alpha";
    }

    private static HttpResponse<String> upload(String tenant, String idempotencyKey) {
        var boundary = "isolation-boundary";
        var body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nsecret of " + tenant + "\r\n--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.UTF_8));
        var b = HttpRequest.newBuilder(api.uri("/v1/documents")).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .headers(as(tenant)).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return api.send(b);
    }

    private static String created(HttpResponse<String> r, String tenant) {
        assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
        var id = json(r).get("job_id").asText();
        owned.get(tenant).add(id);

        return id;
    }

    /** Every job of the tenant a listing shows, page by page through its cursors. */
    private static List<String> listAll(String[] auth, String query, int limit) {
        var ids = new ArrayList<String>();
        String cursor = null;
        do {
            var r = api.get("/v1/jobs?limit=" + limit + query
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), auth);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            var page = json(r);
            page.get("jobs").forEach(j -> ids.add(j.get("job_id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        return ids;
    }

    @Test
    void aRandomWalkOverEveryRoute_neverShowsATenantAnythingOfTheOther() {
        var random = new SplittableRandom(SEED);
        for (var t : TENANTS) {
            created(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {\"secret\": \"" + t + "\"}}", as(t)), t);
            uploads.put(t, created(upload(t, null), t));
            created(api.post("/v1/jobs", "{\"task\": \"gate\", \"input\": {}}", as(t)), t); // held: stays running or pending
        }
        for (int step = 0; step < 300; step++) {
            var me = TENANTS.get(random.nextInt(2));
            var them = other(me);
            var theirs = List.copyOf(owned.get(them));
            var theirId = theirs.get(random.nextInt(theirs.size()));
            var mine = List.copyOf(owned.get(me));
            var myId = mine.get(random.nextInt(mine.size()));
            switch (random.nextInt(11)) {
                case 0 -> created(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {\"n\": " + step + "}}", as(me)), me);
                case 1 -> {
                    // the same idempotency key as the other tenant's: a job of its own, never theirs
                    var key = "shared-" + random.nextInt(5);
                    var a = created(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}", merge(as(me), "Idempotency-Key", key)), me);
                    var b = created(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}", merge(as(them), "Idempotency-Key", key)), them);
                    assertThat(a).isNotEqualTo(b);
                }
                case 2 -> assertThat(api.get("/v1/jobs/" + theirId, as(me)).statusCode()).isEqualTo(404);
                case 3 -> assertThat(api.get("/v1/jobs/" + theirId + "?wait=0.2&include=input", as(me)).statusCode()).isEqualTo(404);
                case 4 -> assertThat(api.post("/v1/jobs/" + theirId + "/cancel", "", as(me)).statusCode()).isEqualTo(404);
                case 5 -> assertThat(api.post("/v1/jobs/" + theirId + "/retry", "", as(me)).statusCode()).isEqualTo(404);
                case 6 -> {
                    var listed = listAll(as(me), random.nextBoolean() ? "" : "&task=echo", 1 + random.nextInt(7));
                    assertThat(listed).doesNotContainAnyElementsOf(owned.get(them)).isSubsetOf(owned.get(me));
                }
                case 7 -> {
                    var r = api.get("/v1/jobs/" + myId + "?include=input", as(me));
                    assertThat(r.statusCode()).as(me + " reads its job " + myId + ": " + r.body()).isEqualTo(200);
                    assertThat(r.body()).doesNotContain("secret of " + them).doesNotContain("\"secret\":\"" + them);
                    assertThat(json(r).get("tenant").asText()).isEqualTo(me);
                }
                case 8 -> {
                    // a job naming the other tenant's document: as unknown as one that never was
                    var r = api.post("/v1/jobs", "{\"task\": \"extract\", \"input\": {\"document_id\": \""
                            + uploads.get(them) + "\"}}", as(me));
                    assertThat(r.statusCode()).isEqualTo(422);
                    assertThat(r.body()).contains("no document with id").doesNotContain("secret of");
                }
                case 9 -> {
                    // usage: only its own, and never another tenant's by name
                    assertThat(api.get("/v1/usage?tenant=" + them, as(me)).statusCode()).isEqualTo(403);
                    var usage = json(api.get("/v1/usage?group_by=tenant,task", as(me)));
                    assertThat(usage.get("tenant").asText()).isEqualTo(me);
                    usage.get("data").forEach(row -> assertThat(row.get("tenant").asText()).isEqualTo(me));
                }
                default -> {
                    var r = api.get("/v1/jobs?tenant=" + them, as(me));
                    assertThat(r.statusCode()).as("a filter for another tenant").isEqualTo(403);
                }
            }
        }
        var metrics = api.get("/metrics", bearer(admin)).body();
        for (var t : TENANTS) {
            assertThat(metrics).as("no tenant in a metric label").doesNotContain("\"" + t + "\"");
        }
    }

    @Test
    void anAdmin_seesEveryTenant_andFiltersByOne() {
        var a = created(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}", as("alpha")), "alpha");
        var b = created(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}", as("beta")), "beta");

        assertThat(json(api.get("/v1/jobs/" + a, bearer(admin))).get("tenant").asText()).isEqualTo("alpha");
        assertThat(listAll(bearer(admin), "", 50)).contains(a, b);
        assertThat(listAll(bearer(admin), "&tenant=beta", 50)).contains(b).doesNotContain(a);
        var own = api.get("/v1/jobs?tenant=alpha", as("alpha"));
        assertThat(own.statusCode()).as("a tenant may name itself").isEqualTo(200);
    }

    private static String[] merge(String[] headers, String name, String value) {
        var out = new String[headers.length + 2];
        System.arraycopy(headers, 0, out, 0, headers.length);
        out[headers.length] = name;
        out[headers.length + 1] = value;
        return out;
    }
}
