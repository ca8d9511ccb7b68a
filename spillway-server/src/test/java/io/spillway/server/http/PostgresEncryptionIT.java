package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.server.PgSchema;
import io.spillway.server.TestServer;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest on PostgreSQL: no row of any table holds an input or a result in clear. */
class PostgresEncryptionIT {
    private static final String KEYS = "pg1 " + Base64.getEncoder().encodeToString("pg-master-key-of-thirty-two-byte".getBytes());
    private static final String SECRET = "PGSECRET-5e1d-input-and-result";

    @TempDir
    Path dir;

    @Test
    void noRowHoldsTheSecret() throws Exception {
        try (var schema = new PgSchema();
             var api = TestServer.start(dir, Map.of("store", schema.url(), "store_schema", schema.name, "encryption_keys", KEYS),
                     List.of())) {
            var id = api.submit("{\"task\": \"echo\", \"input\": {\"text\": \"" + SECRET + "\"}}");
            var done = api.awaitJob(id);
            assertThat(done.get("result").toString()).contains(SECRET);
            var boundary = "pg-boundary";
            var body = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"n.txt\"\r\n"
                    + "Content-Type: text/plain\r\n\r\n" + SECRET + " in a document\r\n--" + boundary + "--\r\n");
            var uploaded = api.send(HttpRequest.newBuilder(api.uri("/v1/documents?task=extract"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(202);
            var extracted = api.awaitJob(TestServer.json(uploaded).get("job_id").asText());
            assertThat(extracted.get("result").toString()).contains(SECRET + " in a document");

            try (var c = schema.connect(); var st = c.createStatement()) {
                var tables = new ArrayList<String>();
                try (var rs = st.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = '" + schema.name + "'")) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
                assertThat(tables).contains("jobs", "attachments", "attachment_chunks");
                try (var rs = st.executeQuery("SELECT count(*) FROM attachment_chunks")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the document is stored").isPositive();
                }
                for (var table : tables) {
                    // every row as text; a chunk's bytes in their escape form, where clear text would show
                    var query = table.equals("attachment_chunks") ? "SELECT encode(data, 'escape') FROM attachment_chunks"
                            : "SELECT t::text FROM " + table + " t";
                    try (var rs = st.executeQuery(query)) {
                        while (rs.next()) {
                            assertThat(rs.getString(1)).as(table).doesNotContain(SECRET);
                        }
                    }
                }
            }
        }
    }
}
