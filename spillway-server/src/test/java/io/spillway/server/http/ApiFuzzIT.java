package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.server.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throws thousands of random and mutated requests at the API. Every answer must be a 2xx, or a
 * 4xx with a problem+json body that has a detail and no stack trace; never a 5xx. Every 202 must
 * name a job that exists. Reproduce a failure with {@code -Dfuzz.seed=<the printed seed>}.
 */
class ApiFuzzIT {
    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final List<String> VALID = List.of(
            "{\"task\": \"echo\", \"input\": {\"text\": \"hello\"}}",
            "{\"task\": \"echo\", \"input\": {\"a\": [1, 2, {\"b\": null}]}, \"priority\": \"batch\", \"max_attempts\": 2}",
            "{\"task\": \"echo\", \"input\": {}, \"deadline\": \"PT30S\", \"metadata\": {\"k\": \"v\"}}",
            "{\"task\": \"echo\", \"input\": {\"s\": \"\\u00e9\\ud83d\\ude00\"}, \"priority\": \"interactive\"}",
            "{\"prompt\": \"Summarize the quarterly report\"}",
            "{\"task\": \"echo\", \"input\": {\"n\": 1e308}, \"model\": \"auto\", \"deadline\": \"2099-01-01T00:00:00Z\"}");
    private static final String NOISE = "{}[]\":,\\ntfe0-9x\u0000\u00ff";
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/problem+json",
            "", "application/xml", "*/*", "application/vnd.api+json", "json", "APPLICATION/JSON");

    @TempDir
    static Path dir;
    static TestServer api;

    @BeforeAll
    static void start() {
        api = TestServer.start(dir, Map.of("max_body_bytes", "16KiB"), List.of());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void randomAndMutatedSubmits_getA2xxOrAClear4xx() {
        var rnd = new SplittableRandom(SEED);
        var accepted = new ArrayList<String>();
        for (int i = 0; i < 3000; i++) {
            byte[] body = body(rnd);
            var b = HttpRequest.newBuilder(api.uri("/v1/jobs")).POST(HttpRequest.BodyPublishers.ofByteArray(body));
            var type = CONTENT_TYPES.get(rnd.nextInt(CONTENT_TYPES.size()));
            if (!type.isEmpty()) {
                b.header("Content-Type", type);
            }
            if (rnd.nextInt(5) == 0) {
                b.header("Idempotency-Key", randomKey(rnd));
            }
            var what = "seed=" + SEED + " case=" + i + " type=" + type + " body=" + printable(body);
            var r = send(b, what);
            assertSane(r, what);
            if (r.statusCode() == 202) {
                accepted.add(TestServer.json(r).get("job_id").asText());
            }
        }
        assertThat(accepted).as("seed=" + SEED + ": some requests should be valid").isNotEmpty();
        for (var id : accepted) {
            assertThat(api.get("/v1/jobs/" + id).statusCode()).as("seed=%d accepted job %s is missing", SEED, id).isEqualTo(200);
        }
    }

    @Test
    void randomIdsAndQueries_getA2xxOrAClear4xx() {
        var rnd = new SplittableRandom(SEED + 1);
        var paths = new String[] {"/v1/jobs/%s", "/v1/jobs/%s?wait=%s", "/v1/jobs?status=%s&limit=%s",
                "/v1/jobs?cursor=%s&task=%s", "/v1/jobs/%s/cancel"};
        for (int i = 0; i < 1500; i++) {
            var pattern = paths[rnd.nextInt(paths.length)];
            var path = String.format(pattern, enc(randomText(rnd)), enc(randomQueryValue(rnd)));
            var b = HttpRequest.newBuilder(api.uri(path));
            if (pattern.endsWith("cancel")) {
                b.POST(HttpRequest.BodyPublishers.ofString(randomText(rnd)));
            }
            var what = "seed=" + SEED + " case=" + i + " path=" + path;
            assertSane(send(b, what), what);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder b, String what) {
        try {
            return api.send(b);
        } catch (RuntimeException e) {
            throw new AssertionError("no answer to " + what, e);
        }
    }

    private static void assertSane(HttpResponse<String> r, String what) {
        int s = r.statusCode();
        assertThat(s).as(what + " -> " + r.body()).isBetween(200, 499);
        if (s >= 400) {
            assertThat(r.headers().firstValue("Content-Type")).as(what).get().asString().startsWith("application/problem+json");
            var detail = TestServer.json(r).get("detail");
            assertThat(detail).as(what).isNotNull();
            assertThat(detail.asText()).as(what).isNotBlank();
            assertThat(r.body()).as(what).doesNotContain("\tat ").doesNotContain("Exception:");
        }
    }

    private static byte[] body(SplittableRandom rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> randomBytes(rnd);
            case 1 -> randomJson(rnd, 0).getBytes(StandardCharsets.UTF_8);
            case 2, 3 -> mutate(VALID.get(rnd.nextInt(VALID.size())), rnd).getBytes(StandardCharsets.UTF_8);
            case 4 -> replaceField(rnd).getBytes(StandardCharsets.UTF_8);
            default -> VALID.get(rnd.nextInt(VALID.size())).getBytes(StandardCharsets.UTF_8);
        };
    }

    private static String mutate(String s, SplittableRandom rnd) {
        var sb = new StringBuilder(s);
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n && !sb.isEmpty(); k++) {
            int at = rnd.nextInt(sb.length());
            switch (rnd.nextInt(7)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, NOISE.charAt(rnd.nextInt(NOISE.length())));
                case 2 -> sb.setLength(at);
                case 3 -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + rnd.nextInt(30))));
                case 4 -> sb.replace(at, Math.min(sb.length(), at + 1), String.valueOf((char) rnd.nextInt(0x20, 0x7f)));
                case 5 -> sb.insert(0, "[".repeat(rnd.nextInt(1, 2000)));
                default -> sb.append(" ").append(randomJson(rnd, 0));
            }
        }
        return sb.toString();
    }

    private static String replaceField(SplittableRandom rnd) {
        var fields = new String[] {"task", "input", "priority", "deadline", "max_attempts", "metadata", "model", "prompt", "webhook_url"};
        var sb = new StringBuilder("{\"task\": \"echo\", \"input\": {}");
        var f = fields[rnd.nextInt(fields.length)];
        sb.setLength(0);
        sb.append('{');
        if (!f.equals("task")) {
            sb.append("\"task\": \"echo\", ");
        }
        if (!f.equals("input")) {
            sb.append("\"input\": {\"x\": 1}, ");
        }
        sb.append('"').append(f).append("\": ").append(randomJson(rnd, 0)).append('}');
        return sb.toString();
    }

    private static String randomJson(SplittableRandom rnd, int depth) {
        int pick = depth > 3 ? rnd.nextInt(5) : rnd.nextInt(8);
        return switch (pick) {
            case 0 -> "null";
            case 1 -> rnd.nextBoolean() ? "true" : "false";
            case 2 -> switch (rnd.nextInt(6)) {
                case 0 -> String.valueOf(rnd.nextLong());
                case 1 -> String.valueOf(rnd.nextDouble() * 1e6);
                case 2 -> "1e999";
                case 3 -> "-0";
                case 4 -> "123456789012345678901234567890";
                default -> String.valueOf(rnd.nextInt(-5, 200));
            };
            case 3 -> "\"" + jsonEscape(randomText(rnd)) + "\"";
            case 4 -> "\"" + new String[] {"echo", "interactive", "standard", "batch", "PT1S", "P-1D", "2020-01-01T00:00:00Z",
                    "2099-12-31T23:59:59+02:00", "auto", "generate", ""}[rnd.nextInt(11)] + "\"";
            case 5, 6 -> {
                var sb = new StringBuilder("{");
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append('"').append(jsonEscape(randomText(rnd))).append("\":").append(randomJson(rnd, depth + 1));
                }
                yield sb.append('}').toString();
            }
            default -> {
                var sb = new StringBuilder("[");
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(randomJson(rnd, depth + 1));
                }
                yield sb.append(']').toString();
            }
        };
    }

    private static String randomText(SplittableRandom rnd) {
        int len = rnd.nextInt(0, rnd.nextInt(10) == 0 ? 300 : 40);
        var sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.appendCodePoint(switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextInt(0x20, 0x7f);
                case 1 -> "0123456789abcdef-".charAt(rnd.nextInt(17));
                case 2 -> rnd.nextInt(0xa0, 0x2000);
                default -> rnd.nextInt(0x1F300, 0x1F600);
            });
        }
        return sb.toString();
    }

    private static String randomQueryValue(SplittableRandom rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> String.valueOf(rnd.nextInt(-100, 2000));
            case 1 -> String.valueOf(rnd.nextDouble() * 3);
            case 2 -> new String[] {"pending", "completed", "failed", "", "NaN", "Infinity", "1e3", "0x10"}[rnd.nextInt(8)];
            default -> randomText(rnd);
        };
    }

    private static String randomKey(SplittableRandom rnd) {
        var t = randomText(rnd).replaceAll("[\\r\\n]", "");
        var sb = new StringBuilder();
        t.codePoints().filter(c -> c >= 0x20 && c < 0x7f).forEach(sb::appendCodePoint);
        return sb.isEmpty() ? "k" : sb.toString().strip().isEmpty() ? "k" : sb.toString().strip();
    }

    private static byte[] randomBytes(SplittableRandom rnd) {
        var b = new byte[rnd.nextInt(0, rnd.nextInt(20) == 0 ? 20_000 : 200)];
        rnd.nextBytes(b);
        return b;
    }

    private static String jsonEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String printable(byte[] b) {
        var s = new String(b, 0, Math.min(b.length, 300), StandardCharsets.UTF_8);
        return s.replaceAll("\\p{Cntrl}", "?") + (b.length > 300 ? "...(" + b.length + " bytes)" : "");
    }
}
