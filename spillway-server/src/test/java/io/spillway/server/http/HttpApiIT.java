package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.task.TaskHandler;
import io.spillway.server.GateTask;
import io.spillway.server.TestServer;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpApiIT {
    @TempDir
    static Path dir;
    static TestServer api;

    @BeforeAll
    static void start() {
        api = TestServer.start(dir, Map.of("max_body_bytes", "64KiB"), List.of());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode json(HttpResponse<String> r) {
        return TestServer.json(r);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String detailPart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        var body = json(r);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("detail").asText()).contains(detailPart);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void submit_answers202WithTheReferenceBodyAndLocation() {
        var r = api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {\"text\": \"hello\"}}");

        assertThat(r.statusCode()).isEqualTo(202);
        var body = json(r);
        var id = body.get("job_id").asText();
        assertThat(body.get("status").asText()).isEqualTo("pending");
        assertThat(body.get("message").asText()).isEqualTo("Job accepted and is processing.");
        assertThat(r.headers().firstValue("Location")).contains("/v1/jobs/" + id);
    }

    @Test
    void getWithWait_returnsTheCompletedEchoResult() {
        var id = api.submit("{\"task\": \"echo\", \"input\": {\"text\": \"hello\", \"n\": [1, 2]}, \"metadata\": {\"user\": \"u1\"}}");

        var job = api.awaitJob(id);

        assertThat(job.get("job_id").asText()).isEqualTo(id);
        assertThat(job.get("status").asText()).isEqualTo("completed");
        assertThat(job.get("result").toString()).isEqualTo("{\"text\":\"hello\",\"n\":[1,2]}");
        assertThat(job.get("metadata").toString()).isEqualTo("{\"user\":\"u1\"}");
        assertThat(job.get("task").asText()).isEqualTo("echo");
        assertThat(job.get("attempt").asInt()).isEqualTo(1);
        assertThat(job.get("error").isNull()).isTrue();
        assertThat(Instant.parse(job.get("finished_at").asText())).isAfterOrEqualTo(Instant.parse(job.get("created_at").asText()));
    }

    @Test
    void includeInput_addsTheInputWithAndWithoutWaiting() {
        var id = api.submit("{\"task\": \"echo\", \"input\": {\"text\": \"in\"}}");

        var waited = json(api.get("/v1/jobs/" + id + "?wait=30&include=input"));
        var atOnce = json(api.get("/v1/jobs/" + id + "?include=input"));

        assertThat(waited.get("status").asText()).isEqualTo("completed");
        assertThat(waited.get("input").toString()).isEqualTo("{\"text\":\"in\"}");
        assertThat(atOnce.get("input").toString()).isEqualTo("{\"text\":\"in\"}");
        assertThat(json(api.get("/v1/jobs/" + id)).has("input")).isFalse();
    }

    @Test
    void get_withoutWaitAnswersAtOnceWithTheReferenceFields() {
        var id = api.submit("{\"task\": \"echo\", \"input\": {}}");

        var job = json(api.get("/v1/jobs/" + id));

        assertThat(job.has("job_id")).isTrue();
        assertThat(job.get("status").asText()).isIn("pending", "processing", "completed");
        assertThat(job.has("result")).isTrue();
    }

    @Test
    void options_priorityDeadlineAndMaxAttemptsAreKept() {
        var id = api.submit("{\"task\": \"echo\", \"input\": {}, \"priority\": \"interactive\", \"deadline\": \"PT1H\", \"max_attempts\": 7}");

        var job = api.awaitJob(id);

        assertThat(job.get("priority").asText()).isEqualTo("interactive");
        assertThat(job.get("max_attempts").asInt()).isEqualTo(7);
        assertThat(Instant.parse(job.get("deadline").asText())).isAfter(Instant.now().plusSeconds(3000));
    }

    @Test
    void prompt_isRefusedWith422UntilATextModelIsConfigured() {
        assertProblem(api.post("/v1/jobs", "{\"prompt\": \"Summarize this\"}"), 422, "needs a text-generation model");
    }

    @Test
    void get_unknownIdKeepsTheReferenceBody() {
        var r = api.get("/v1/jobs/01a211af-dedb-7000-a92c-390da5b7e399");

        assertProblem(r, 404, "Job not found");
        assertThat(json(r).get("detail").asText()).isEqualTo("Job not found");
        assertProblem(api.get("/v1/jobs/not-a-uuid"), 404, "Job not found");
    }

    @Test
    void idempotencyKey_sameBodyReturnsTheOriginalJobAndADifferentBodyConflicts() {
        var first = api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {\"a\": 1, \"b\": 2}}", "Idempotency-Key", "order-42");
        var again = api.post("/v1/jobs", "{\"input\": {\"b\": 2, \"a\": 1}, \"task\": \"echo\"}", "Idempotency-Key", "order-42");
        var other = api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {\"a\": 2}}", "Idempotency-Key", "order-42");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("job_id").asText()).isEqualTo(json(first).get("job_id").asText());
        assertThat(again.headers().firstValue("Location")).contains("/v1/jobs/" + json(first).get("job_id").asText());
        assertProblem(other, 409, "Idempotency-Key was already used");
    }

    @Test
    void list_newestFirstWithFiltersAndCursor() {
        var ids = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            ids.add(api.submit("{\"task\": \"echo\", \"input\": {\"i\": " + i + "}}"));
        }
        ids.forEach(api::awaitJob);

        var page1 = json(api.get("/v1/jobs?task=echo&status=completed&limit=3"));
        var cursor = page1.get("next_cursor").asText();
        var page2 = json(api.get("/v1/jobs?task=echo&status=completed&limit=3&cursor=" + cursor));

        var seen = new ArrayList<String>();
        page1.get("jobs").forEach(j -> seen.add(j.get("job_id").asText()));
        page2.get("jobs").forEach(j -> seen.add(j.get("job_id").asText()));
        assertThat(seen.subList(0, 5)).containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));
        assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /v1/jobs?status=done           | unknown status 'done'
            /v1/jobs?limit=0               | 'limit' must be a whole number from 1 to 1000
            /v1/jobs?limit=abc             | 'limit' must be a whole number from 1 to 1000
            /v1/jobs?cursor=!!!            | invalid cursor
            /v1/jobs?cursor=aGVsbG8        | invalid cursor
            /v1/jobs/01a211af-dedb-7000-a92c-390da5b7e399?wait=-1   | 'wait' must be a number of seconds
            /v1/jobs/01a211af-dedb-7000-a92c-390da5b7e399?wait=9999 | 'wait' must be a number of seconds
            /v1/jobs/01a211af-dedb-7000-a92c-390da5b7e399?wait=soon | 'wait' must be a number of seconds
            """)
    void badQueryParameters_are400(String path, String detail) {
        assertProblem(api.get(path.strip()), 400, detail.strip());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {bad                                                   | 400 | not valid JSON
            ``                                                     | 400 | the body is empty
            {"task": "echo", "input": {}} trailing                 | 400 | not valid JSON
            {"task": "echo", "task": "echo", "input": {}}          | 400 | Duplicate field
            [1, 2]                                                 | 422 | must be a JSON object, not an array
            "text"                                                 | 422 | must be a JSON object, not a string
            {}                                                     | 422 | 'task' is required
            {"task": 5, "input": {}}                               | 422 | 'task' must be a string
            {"task": "echo"}                                       | 422 | 'input' is required
            {"task": "echo", "input": [1]}                         | 422 | 'input' must be a JSON object
            {"task": "nope", "input": {}}                          | 422 | unknown task 'nope'; tasks here: echo, sleep, embed
            {"task": "echo", "input": {}, "priority": "urgent"}    | 422 | unknown priority 'urgent'
            {"task": "echo", "input": {}, "priority": 1}           | 422 | 'priority' must be a string
            {"task": "echo", "input": {}, "deadline": "tomorrow"}  | 422 | 'deadline' is not a valid time
            {"task": "echo", "input": {}, "deadline": "2001-01-01T00:00:00Z"} | 422 | already in the past
            {"task": "echo", "input": {}, "deadline": 5}           | 422 | 'deadline' must be a string
            {"task": "echo", "input": {}, "deadline": "P999999999D"} | 422 | 'deadline' is more than 10 years away
            {"task": "echo", "input": {}, "deadline": "PT99999999999999999H"} | 422 | 'deadline' is not a valid time
            {"task": "echo", "input": {}, "deadline": "+999999999-12-31T23:59:59Z"} | 422 | 'deadline'
            {"task": "echo", "input": {}, "max_attempts": 0}       | 422 | 'max_attempts' must be a whole number from 1 to 100
            {"task": "echo", "input": {}, "max_attempts": 2.5}     | 422 | 'max_attempts' must be a whole number
            {"task": "echo", "input": {}, "metadata": "x"}         | 422 | 'metadata' must be a JSON object
            {"task": "echo", "input": {}, "model": "gpt-9"}        | 422 | unknown model 'gpt-9'
            {"task": "echo", "input": {}, "priorty": "batch"}      | 422 | unknown field 'priorty'
            {"prompt": 42}                                         | 422 | 'prompt' must be a string
            {"prompt": "  "}                                       | 422 | 'prompt' must not be empty
            {"prompt": "x", "task": "echo", "input": {}}           | 422 | either 'prompt'
            """)
    void badBodies_getAClearProblem(String body, int status, String detail) {
        assertProblem(api.post("/v1/jobs", body), status, detail.strip());
    }

    @Test
    void wrongContentType_is415AndAMissingOneIsReadAsJson() {
        var wrong = api.send(HttpRequest.newBuilder(api.uri("/v1/jobs"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"echo\", \"input\": {}}"))
                .header("Content-Type", "text/plain"));
        var missing = api.send(HttpRequest.newBuilder(api.uri("/v1/jobs"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"echo\", \"input\": {}}")));
        var charset = api.send(HttpRequest.newBuilder(api.uri("/v1/jobs"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"task\": \"echo\", \"input\": {}}"))
                .header("Content-Type", "application/json; charset=utf-8"));

        assertProblem(wrong, 415, "Content-Type must be application/json");
        assertThat(missing.statusCode()).isEqualTo(202);
        assertThat(charset.statusCode()).isEqualTo(202);
    }

    @Test
    void oversizedBody_is413() {
        var big = "{\"task\": \"echo\", \"input\": {\"t\": \"" + "x".repeat(70_000) + "\"}}";

        assertProblem(api.post("/v1/jobs", big), 413, "larger than the limit of 65536 bytes");
    }

    @Test
    void badIdempotencyKey_is400() {
        assertProblem(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}", "Idempotency-Key", "k".repeat(300)),
                400, "Idempotency-Key");
    }

    @Test
    void unknownRouteAndMethod_areProblems() {
        assertProblem(api.get("/v2/jobs"), 404, "no route GET /v2/jobs");
        assertProblem(api.send(HttpRequest.newBuilder(api.uri("/v1/jobs")).DELETE()), 405, "not allowed");
    }

    @Test
    void cancel_completedJobIs409AndUnknownIs404() {
        var id = api.submit("{\"task\": \"echo\", \"input\": {}}");
        api.awaitJob(id);

        assertProblem(api.post("/v1/jobs/" + id + "/cancel", ""), 409, "is completed and can no longer be cancelled");
        assertProblem(api.post("/v1/jobs/01a211af-dedb-7000-a92c-390da5b7e399/cancel", ""), 404, "Job not found");
    }

    @Test
    void queue_reportsDepthAndAge() {
        var q = json(api.get("/v1/queue"));

        assertThat(q.get("pending").isIntegralNumber()).isTrue();
        assertThat(q.get("processing").isIntegralNumber()).isTrue();
        assertThat(q.get("oldest_pending_age_seconds").asDouble()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void queue_perTask_saysWhatRunsWhatWaitsAndHowFastItDrains(@TempDir Path own) {
        var gate = new GateTask();
        // one worker thread: the gate runs one batch at a time and holds one more claimed (prefetch)
        try (var s = TestServer.start(own, Map.of("worker_threads", "1"), List.of(gate))) {
            var done = s.submit("{\"task\": \"echo\", \"input\": {}}");
            s.awaitJob(done);
            for (int i = 0; i < 5; i++) {
                s.submit("{\"task\": \"gate\", \"input\": {\"n\": " + i + "}, \"priority\": \"batch\"}");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.started.get() == 1);

            var tasks = json(s.get("/v1/queue")).get("tasks");

            var g = tasks.get("gate");
            assertThat(g.get("running").asLong()).as(tasks.toString()).isEqualTo(2);
            assertThat(g.at("/pending/batch").asLong()).isEqualTo(3);
            assertThat(g.at("/pending/interactive").asLong()).isZero();
            assertThat(g.get("time_to_drain_seconds").isNull()).as("nothing of it has ended yet").isTrue();
            var echo = tasks.get("echo");
            assertThat(echo.get("drain_per_second").asDouble()).isPositive();
            assertThat(echo.get("time_to_drain_seconds").asDouble()).isZero();
            gate.open();
        }
    }

    @Test
    void aQueueLimit_refusesWorkThatWouldWaitLonger_with429AndWhenToComeBack(@TempDir Path own) {
        try (var s = TestServer.start(own, Map.of("max_in_flight", "1", "max_queue_seconds", "batch=60",
                "drain_timeout_seconds", "0"), List.of())) {
            for (int i = 0; i < 3; i++) {
                s.awaitJob(s.submit("{\"task\": \"sleep\", \"input\": {\"ms\": 10}}")); // the task drains, slowly
            }
            for (int i = 0; i < 10; i++) {
                s.submit("{\"task\": \"sleep\", \"input\": {\"ms\": 3000}}");
            }
            var batch = "{\"task\": \"sleep\", \"input\": {\"ms\": 10}, \"priority\": \"batch\"}";

            // admitted until the engine's next sample of its queues (every 2 s) sees the backlog
            var refused = await().atMost(Duration.ofSeconds(10)).until(() -> s.post("/v1/jobs", batch), r -> r.statusCode() == 429);

            assertProblem(refused, 429, "the queue is full: about ");
            assertThat(json(refused).get("detail").asText()).contains("at priority batch", "the limit at this priority is 60 s");
            assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 120L);
            assertThat(refused.headers().firstValue("retry-after-ms")).isPresent();
            assertThat(s.post("/v1/jobs", "{\"task\": \"sleep\", \"input\": {\"ms\": 10}}").statusCode())
                    .as("standard has no limit").isEqualTo(202);
        }
    }

    @Test
    void sleepTask_runsAndRefusesBadInputAtSubmit() {
        var id = api.submit("{\"task\": \"sleep\", \"input\": {\"ms\": 20}}");

        assertThat(api.awaitJob(id).get("result").toString()).isEqualTo("{\"slept_ms\":20}");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"sleep\", \"input\": {\"ms\": 70000}}"), 422, "'ms' must be");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"sleep\", \"input\": {}}"), 422, "'ms' must be");
    }

    @Test
    void retry_runsACancelledJobAgainAsANewJobAndRefusesOthers(@TempDir Path own) {
        var gate = new GateTask();
        try (var s = TestServer.start(own, Map.of("max_in_flight", "1"), List.of(gate))) {
            s.submit("{\"task\": \"gate\", \"input\": {\"n\": 1}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.started.get() == 1);
            var queued = s.submit("{\"task\": \"gate\", \"input\": {\"n\": 2}, \"metadata\": {\"m\": 1}}");
            s.post("/v1/jobs/" + queued + "/cancel", "");

            var retried = s.post("/v1/jobs/" + queued + "/retry", "");
            gate.open();

            assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
            var newId = json(retried).get("job_id").asText();
            assertThat(newId).isNotEqualTo(queued);
            var job = s.awaitJob(newId);
            assertThat(job.get("status").asText()).isEqualTo("completed");
            assertThat(job.get("result").toString()).isEqualTo("{\"n\":2}");
            assertThat(job.get("metadata").toString()).isEqualTo("{\"m\":1}");
            assertProblem(s.post("/v1/jobs/" + newId + "/retry", ""), 409, "only failed, cancelled or expired");
        }
    }

    @Test
    void retry_withTheSameIdempotencyKeyTwice_makesOneJob(@TempDir Path own) {
        try (var s = TestServer.start(own, Map.of("workers", "false"), List.of())) {
            var original = s.submit("{\"task\": \"echo\", \"input\": {}}");
            s.post("/v1/jobs/" + original + "/cancel", "");

            var first = s.post("/v1/jobs/" + original + "/retry", "", "Idempotency-Key", "retry-1");
            var second = s.post("/v1/jobs/" + original + "/retry", "", "Idempotency-Key", "retry-1");

            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            assertThat(json(second).get("job_id").asText()).isEqualTo(json(first).get("job_id").asText());
            assertThat(json(s.get("/v1/jobs?task=echo")).get("jobs")).hasSize(2);
        }
    }

    @Test
    void withWorkersOff_theAnswerAndReadinessSayProcessingIsPaused(@TempDir Path own) {
        try (var s = TestServer.start(own, Map.of("workers", "false"), List.of())) {
            var accepted = s.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}");
            var ready = json(s.get("/readyz"));

            assertThat(json(accepted).get("message").asText()).contains("processing is paused");
            assertThat(ready.get("processing").asText()).isEqualTo("paused");
        }
        assertThat(json(api.get("/readyz")).get("processing").asText()).isEqualTo("running");
    }

    @Test
    void everyJsonAnswer_endsWithANewline() {
        var id = api.submit("{\"task\": \"echo\", \"input\": {}}");
        api.awaitJob(id);

        assertThat(api.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}").body()).endsWith("}\n");
        assertThat(api.get("/v1/jobs/" + id).body()).endsWith("}\n");
        assertThat(api.get("/v1/jobs").body()).endsWith("}\n");
        assertThat(api.get("/v1/jobs/" + id.replace('0', '1') + "x").body()).endsWith("}\n");
        assertThat(api.get("/readyz").body()).endsWith("}\n");
        assertThat(api.get("/healthz").body()).endsWith("}\n");
        assertThat(api.get("/v1/queue").body()).endsWith("}\n");
        assertThat(api.get("/no/such/route").body()).endsWith("}\n");
    }

    @Test
    void traceparent_isCarriedToTheWorkerAndAnInvalidOneIsIgnored(@TempDir Path own) {
        var seen = new ConcurrentHashMap<String, String>();
        var capture = new TaskHandler() {
            @Override
            public String name() {
                return "capture";
            }

            @Override
            public List<Outcome> run(List<Job> batch) {
                batch.forEach(j -> seen.put(j.id(), String.valueOf(j.traceparent())));
                return batch.stream().map(j -> Outcome.completed("{}")).toList();
            }
        };
        try (var s = TestServer.start(own, Map.of(), List.of(capture))) {
            var traced = json(s.post("/v1/jobs", "{\"task\": \"capture\", \"input\": {}}",
                    "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).get("job_id").asText();
            var bogus = s.post("/v1/jobs", "{\"task\": \"capture\", \"input\": {}}", "traceparent", "01-nonsense");
            assertThat(bogus.statusCode()).isEqualTo(202);
            var untraced = json(bogus).get("job_id").asText();
            s.awaitJob(traced);
            s.awaitJob(untraced);

            assertThat(seen.get(traced)).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            assertThat(seen.get(untraced)).isEqualTo("null");
        }
    }

    @Test
    void embed_returnsOneUnitVectorPerTextAndRefusesBadInput() {
        var id = api.submit("{\"task\": \"embed\", \"input\": {\"texts\": [\"hello world\", \"good morning\"]}}");

        var job = api.awaitJob(id);
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("completed");
        var result = job.get("result");
        assertThat(result.get("dim").asInt()).isEqualTo(384);
        assertThat(result.get("model").asText()).isEqualTo("all-minilm-l6-v2-q");
        assertThat(result.get("embeddings")).hasSize(2);
        assertThat(result.get("embeddings").get(0)).hasSize(384);
        assertThat(result.get("usage").get("tokens").asInt()).isPositive();
        assertProblem(api.post("/v1/jobs", "{\"task\": \"embed\", \"input\": {\"texts\": []}}"), 422, "'texts' must be");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"embed\", \"input\": {\"texts\": [\"\"]}}"), 422, "non-empty string");
    }

    @Test
    void aRequestJettyRefusesItself_isAnsweredWithProblemJsonToo() throws Exception {
        try (var socket = new Socket("127.0.0.1", api.server.port())) {
            socket.getOutputStream().write(("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: nine\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            var answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 400").contains("Content-Type: application/problem+json")
                    .contains("\"status\":400").doesNotContain("<html");
        }
    }

    @Test
    void health_andReadiness() {
        assertThat(api.get("/healthz").statusCode()).isEqualTo(200);
        var ready = api.get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).get("tasks").toString()).contains("echo");
    }

    @Test
    void cancelAndDrain_onAServerWithABlockedWorker(@TempDir Path own) {
        var gate = new GateTask();
        try (var s = TestServer.start(own, Map.of("max_in_flight", "1", "drain_timeout_seconds", "1"), List.of(gate))) {
            var running = s.submit("{\"task\": \"gate\", \"input\": {\"n\": 1}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.started.get() == 1);
            var queued = s.submit("{\"task\": \"gate\", \"input\": {\"n\": 2}}");
            var waiting = s.client.sendAsync(HttpRequest.newBuilder(s.uri("/v1/jobs/" + queued + "?wait=30")).build(),
                    HttpResponse.BodyHandlers.ofString());

            var cancelled = s.post("/v1/jobs/" + queued + "/cancel", "");
            assertThat(cancelled.statusCode()).isEqualTo(200);
            assertThat(json(cancelled).get("status").asText()).isEqualTo("cancelled");
            assertThat(json(waiting.join()).get("status").asText()).isEqualTo("cancelled");
            assertProblem(s.post("/v1/jobs/" + running + "/cancel", ""), 409, "is processing");

            var stopping = Thread.ofVirtual().start(s.server::stop);
            await().atMost(Duration.ofSeconds(10)).until(() -> !s.server.engine().isAccepting());
            var refused = s.post("/v1/jobs", "{\"task\": \"echo\", \"input\": {}}");
            assertProblem(refused, 503, "shutting down");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            gate.open();
            stopping.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
