package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The checker every HTTP test's answers go through: what it lets pass and what it catches. */
class OpenApiResponsesTest {
    private static final OpenApiResponses CHECK = OpenApiResponses.get();
    private static final String JSON = "application/json";

    private static String job(String task, String result) {
        return "{\"job_id\":\"01a211af-dedb-7000-a92c-390da5b7e399\",\"status\":\"completed\",\"result\":" + result
                + ",\"task\":\"" + task + "\",\"priority\":\"standard\",\"attempt\":1,\"max_attempts\":3,"
                + "\"created_at\":\"2026-11-25T07:50:54.742Z\",\"started_at\":\"2026-11-25T07:50:54.749Z\","
                + "\"finished_at\":\"2026-11-25T07:50:54.776Z\",\"deadline\":null,\"error\":null,\"metadata\":null}";
    }

    private static final String EMBED_RESULT = "{\"embeddings\":[[0.6,0.8]],\"dim\":2,\"model\":\"minilm\","
            + "\"usage\":{\"model\":\"minilm\",\"compute_ms\":4,\"tokens\":9,\"cost\":0.0}}";

    @Test
    void aDocumentedAnswer_passes() {
        assertThatCode(() -> CHECK.check("GET", "/v1/jobs/01a211af-dedb-7000-a92c-390da5b7e399", 200, JSON,
                job("embed", EMBED_RESULT))).doesNotThrowAnyException();
        assertThatCode(() -> CHECK.check("GET", "/v1/jobs", 200, JSON,
                "{\"jobs\":[" + job("echo", "{\"anything\":[1,{\"x\":null}]}") + "],\"next_cursor\":null}"))
                .doesNotThrowAnyException();
        assertThatCode(() -> CHECK.check("GET", "/v2/nothing", 404, "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"no route\"}"))
                .doesNotThrowAnyException();
    }

    @Test
    void aFieldTheDocumentDoesNotName_fails() {
        assertThatThrownBy(() -> CHECK.check("GET", "/healthz", 200, JSON, "{\"status\":\"ok\",\"uptime\":3}"))
                .hasMessageContaining("GET /healthz answered 200").hasMessageContaining("uptime");
        var undocumentedUsage = EMBED_RESULT.replace("\"cost\":0.0", "\"cost\":0.0,\"joules\":2");
        assertThatThrownBy(() -> CHECK.check("GET", "/v1/jobs/01a211af-dedb-7000-a92c-390da5b7e399", 200, JSON,
                job("embed", undocumentedUsage))).hasMessageContaining("result of embed job").hasMessageContaining("joules");
    }

    @Test
    void anUndocumentedStatusOrMediaType_fails() {
        assertThatThrownBy(() -> CHECK.check("GET", "/v1/stats", 404, "application/problem+json", "{}"))
                .hasMessageContaining("a status the document does not list");
        assertThatThrownBy(() -> CHECK.check("GET", "/healthz", 200, "text/plain", "ok"))
                .hasMessageContaining("media type text/plain");
    }

    @Test
    void aWrongType_fails() {
        assertThatThrownBy(() -> CHECK.check("POST", "/v1/jobs", 202, JSON,
                "{\"job_id\":\"01a211af-dedb-7000-a92c-390da5b7e399\",\"status\":\"completed\",\"message\":\"x\"}"))
                .hasMessageContaining("/status").hasMessageContaining("/message");
    }
}
