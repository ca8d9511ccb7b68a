package io.spillway.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.documents.SamplePdf;
import io.spillway.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads through POST /v1/documents and the document pipeline, as a user runs them. */
class DocumentsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer api;
    static Path dir;

    @BeforeAll
    static void start(@TempDir Path tmp) {
        dir = tmp;
        api = TestServer.start(tmp.resolve("data"), Map.of("max_upload_bytes", "2MiB"), List.of());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static HttpResponse<String> upload(String query, String field, String filename, byte[] content) {
        var boundary = "spillway-test-boundary";
        var body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return api.send(HttpRequest.newBuilder(api.uri("/v1/documents" + query))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    static byte[] pdf(int pages, String password) throws IOException {
        var file = Files.createTempFile(dir, "doc", ".pdf");
        SamplePdf.write(file, pages, password);
        return Files.readAllBytes(file);
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void aPdf_goesThroughTheDocumentPipeline() throws Exception {
        var r = upload("", "file", "report.pdf", pdf(5, null));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        var accepted = json(r);
        assertThat(accepted.get("status").asText()).isEqualTo("pending");
        assertThat(accepted.get("document_id").asText()).isNotBlank();

        var job = api.awaitJob(accepted.get("job_id").asText());

        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("completed");
        var result = job.get("result");
        assertThat(result.at("/metadata/page_count").asInt()).isEqualTo(5);
        assertThat(result.at("/metadata/title").asText()).isEqualTo("Light Rail Annual Report");
        assertThat(result.at("/metadata/filename").asText()).isEqualTo("report.pdf");
        assertThat(result.at("/sentiment/label").asText()).isIn("positive", "neutral", "negative");
        assertThat(result.get("summary").asText()).isNotBlank();
        assertThat(result.get("steps")).extracting(s -> s.get("step").asText()).containsExactly("extract", "sentiment", "summary");
        assertThat(result.get("steps")).allMatch(s -> s.get("status").asText().equals("completed") && s.has("ms"));
        assertThat(result.at("/usage/model").asText()).isEqualTo("pipeline:document");
    }

    @Test
    void extractOnly_withTheTaskParameter() throws Exception {
        var r = upload("?task=extract", "file", "notes.txt", "Meeting notes: the launch moves to May.".getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

        var job = api.awaitJob(json(r).get("job_id").asText());

        assertThat(job.get("status").asText()).isEqualTo("completed");
        assertThat(job.at("/result/text").asText()).contains("launch moves to May");
        assertThat(job.at("/result/metadata/content_type").asText()).startsWith("text/plain");
    }

    @Test
    void anEncryptedPdf_failsTheJobNamingTheStepAndTheReason() throws Exception {
        var r = upload("", "file", "secret.pdf", pdf(1, "pw"));
        assertThat(r.statusCode()).isEqualTo(202);

        var job = api.awaitJob(json(r).get("job_id").asText());

        assertThat(job.get("status").asText()).isEqualTo("failed");
        assertThat(job.toString()).contains("step extract (task extract) failed").contains("encrypted");
    }

    @Test
    void corruptDocuments_failTheirJobsSayingWhatIsWrongWithTheFile() throws Exception {
        var whole = pdf(3, null);
        var random = new byte[20_000];
        new Random(3).nextBytes(random);
        var truncated = upload("?task=extract", "file", "truncated.pdf", Arrays.copyOf(whole, whole.length / 2));
        var notWord = upload("?task=extract", "file", "random.docx", random);
        assertThat(truncated.statusCode()).as(truncated.body()).isEqualTo(202);
        assertThat(notWord.statusCode()).as(notWord.body()).isEqualTo(202);

        var pdfJob = api.awaitJob(json(truncated).get("job_id").asText());
        var docxJob = api.awaitJob(json(notWord).get("job_id").asText());

        assertThat(pdfJob.get("status").asText()).isEqualTo("failed");
        assertThat(pdfJob.get("error").asText()).startsWith("the file is not a valid PDF: ").doesNotContain("TIKA-198", "@");
        assertThat(docxJob.get("status").asText()).isEqualTo("failed");
        assertThat(docxJob.get("error").asText()).startsWith("the file is not a valid Word document (docx): ")
                .doesNotContain("TIKA-198", "@");
    }

    @Test
    void badUploads_areRefusedWithTheRightStatus() throws Exception {
        assertProblem(upload("", "file", "blob.bin", new byte[] {0, 1, 2, 3, (byte) 0xfe, 9, 9, 0}), 415, "unsupported document type");
        assertProblem(upload("", "attachment", "a.txt", "hello".getBytes(StandardCharsets.UTF_8)), 422, "field 'file' is missing");
        assertProblem(upload("", "file", "big.txt", new byte[3 << 20]), 413, "max_upload_bytes");
        assertProblem(upload("?task=nope", "file", "a.txt", "hello there".getBytes(StandardCharsets.UTF_8)), 422, "unknown task 'nope'");
        assertProblem(upload("?task=embed", "file", "a.txt", "hello there".getBytes(StandardCharsets.UTF_8)), 422,
                "task embed does not take documents; tasks that do: document, extract");
        assertProblem(api.post("/v1/documents", "{\"file\": \"x\"}"), 415, "multipart/form-data");
        assertThat(api.get("/v1/jobs?task=document").statusCode()).isEqualTo(200);
        assertThat(orphanAttachments()).as("refused uploads leave no document behind").isZero();
    }

    @Test
    void extractAndDocumentJobs_needAnUploadedDocument() {
        assertProblem(api.post("/v1/jobs", "{\"task\": \"document\", \"input\": {}}"), 422, "'document_id' is required");
        assertProblem(api.post("/v1/jobs", "{\"task\": \"extract\", \"input\": {\"document_id\": \"0000\"}}"), 422,
                "no document with id '0000'");
    }

    /** Attachment rows and chunks without a job in the server's store, read beside it. */
    private static long orphanAttachments() throws SQLException {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/spillway.db"));
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT (SELECT count(*) FROM attachments a WHERE a.job_id NOT IN (SELECT id FROM jobs))"
                     + " + (SELECT count(*) FROM attachment_chunks a WHERE a.job_id NOT IN (SELECT id FROM jobs))")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertProblem(HttpResponse<String> r, int status, String detail) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(r.body()).contains(detail);
    }
}
