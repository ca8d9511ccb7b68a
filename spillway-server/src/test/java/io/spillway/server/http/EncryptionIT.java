package io.spillway.server.http;

import static io.spillway.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.spillway.core.crypto.FieldCipher;
import io.spillway.server.Role;
import io.spillway.server.SpillwayServer;
import io.spillway.server.TestServer;
import io.spillway.server.config.ConfigException;
import io.spillway.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest on the embedded store: what a client sends and gets never appears in the
 * SQLite files (WAL included), a value moved or changed in the file fails that job's read
 * clearly, and a missing or wrong master key stops the start.
 */
class EncryptionIT {
    private static final String K1 = "k1 " + Base64.getEncoder().encodeToString("k1-k1-k1-k1-k1-k1-k1-k1-k1-k1-ab".getBytes());
    private static final String OTHER = "k1 " + Base64.getEncoder().encodeToString("another-key-of-thirty-two-bytes!".getBytes());
    private static final String K2 = "k2 " + Base64.getEncoder().encodeToString("k2-second-master-key-32-bytes-ok".getBytes());
    private static final String SECRET = "SECRET-7f3a9c-of-acme";
    private static final String DOC_SECRET = "DOCSECRET-41b7-inside-a-document";

    @TempDir
    Path dir;

    private TestServer start(String keys) {
        var settings = new HashMap<String, String>();
        if (keys != null) {
            settings.put("encryption_keys", keys);
        }
        return TestServer.start(dir.resolve("data"), settings, List.of());
    }

    private static String upload(TestServer api, String text) {
        var boundary = "enc-boundary";
        var body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"note.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\n" + text + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var r = api.send(HttpRequest.newBuilder(api.uri("/v1/documents?task=extract"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return json(r).get("job_id").asText();
    }

    private List<Path> storeFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("data"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("spillway.db")).toList();
        }
    }

    private void assertNowhereInTheFiles(String... secrets) throws IOException {
        var files = storeFiles();
        assertThat(files).extracting(f -> f.getFileName().toString()).contains("spillway.db");
        for (var f : files) {
            var bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (var s : secrets) {
                assertThat(bytes).as(s + " in " + f.getFileName()).doesNotContain(s);
            }
        }
    }

    @Test
    void inputsResultsAndDocuments_neverAppearInTheFiles_andReadBackInClear() throws Exception {
        String echo;
        String doc;
        try (var api = start(K1)) {
            echo = api.submit("{\"task\": \"echo\", \"input\": {\"text\": \"" + SECRET + "\"}, \"metadata\": {\"m\": \""
                    + SECRET + "-meta\"}}");
            doc = upload(api, DOC_SECRET);
            var done = api.awaitJob(echo);
            assertThat(done.get("status").asText()).isEqualTo("completed");
            assertThat(done.get("result").toString()).contains(SECRET);
            assertThat(done.get("metadata").get("m").asText()).isEqualTo(SECRET + "-meta");
            var extracted = api.awaitJob(doc);
            assertThat(extracted.get("status").asText()).as(extracted.toString()).isEqualTo("completed");
            assertThat(extracted.get("result").toString()).contains(DOC_SECRET);
            assertNowhereInTheFiles(SECRET, DOC_SECRET); // the WAL as the running server left it
        }
        assertNowhereInTheFiles(SECRET, DOC_SECRET);

        try (var again = start(K1)) { // a restart reads them back
            assertThat(json(again.get("/v1/jobs/" + echo + "?include=input")).get("input").get("text").asText()).isEqualTo(SECRET);
        }
    }

    @Test
    void aValueMovedToAnotherJob_orChanged_failsThatJobsReadClearly_andTheOthersStillRead() throws Exception {
        String a;
        String b;
        String c;
        try (var api = start(K1)) {
            a = api.submit("{\"task\": \"echo\", \"input\": {\"text\": \"a\"}}");
            b = api.submit("{\"task\": \"echo\", \"input\": {\"text\": \"b\"}}");
            c = api.submit("{\"task\": \"echo\", \"input\": {\"text\": \"c\"}}");
            for (var id : List.of(a, b, c)) {
                api.awaitJob(id);
            }
        }
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/spillway.db"));
             var st = db.createStatement()) {
            // b gets a's result, ciphertext and all; c's input loses a character
            st.executeUpdate("UPDATE jobs SET result = (SELECT result FROM jobs WHERE id = '" + a + "') WHERE id = '" + b + "'");
            st.executeUpdate("UPDATE jobs SET input = substr(input, 1, 40) || CASE substr(input, 41, 1) WHEN 'A' THEN 'B' ELSE 'A' END"
                    + " || substr(input, 42) WHERE id = '" + c + "'");
        }
        try (var api = start(K1)) {
            assertThat(json(api.get("/v1/jobs/" + a)).get("status").asText()).isEqualTo("completed");
            var moved = api.get("/v1/jobs/" + b);
            assertThat(moved.statusCode()).isEqualTo(500);
            assertThat(json(moved).get("detail").asText()).contains("cannot be read").contains("does not decrypt")
                    .doesNotContain("\"text\"");
            assertThat(api.get("/v1/jobs/" + c + "?include=input").statusCode()).isEqualTo(500);
        }
    }

    @Test
    void aMissingOrWrongMasterKey_stopsTheStartSayingSo() {
        try (var api = start(K1)) {
            api.awaitJob(api.submit("{\"task\": \"echo\", \"input\": {\"text\": \"x\"}}"));
        }
        var base = Map.of("port", "0", "data_dir", dir.resolve("data").toString());
        var none = ServerConfig.of(base);
        assertThatThrownBy(() -> SpillwayServer.start(none, Role.SERVE, List.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is encrypted (master key k1)")
                .hasMessageContaining("no master key is configured");
        var wrong = new HashMap<>(base);
        wrong.put("encryption_keys", OTHER);
        assertThatThrownBy(() -> SpillwayServer.start(ServerConfig.of(wrong), Role.SERVE, List.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not decrypt");
        var bad = new HashMap<>(base);
        bad.put("encryption_keys", "k1 c2hvcnQ=");
        assertThatThrownBy(() -> SpillwayServer.start(ServerConfig.of(bad), Role.SERVE, List.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessage("invalid encryption_keys: key k1 has 5 bytes; AES-256 needs 32 "
                        + "(openssl rand -base64 32)");
    }

    private String stateOf(String id) throws Exception {
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/spillway.db"));
             var st = db.createStatement(); var rs = st.executeQuery("SELECT state FROM jobs WHERE id = '" + id + "'")) {
            return rs.next() ? rs.getString(1) : "none";
        }
    }

    /** The key ids of every encrypted input and result in the file. */
    private Set<String> keyIdsInTheFile() throws Exception {
        var ids = new HashSet<String>();
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/spillway.db"));
             var st = db.createStatement(); var rs = st.executeQuery("SELECT input, result FROM jobs")) {
            while (rs.next()) {
                for (var v : new String[] {rs.getString(1), rs.getString(2)}) {
                    if (v != null) {
                        ids.add(FieldCipher.keyIdOf(v.substring(1, v.length() - 1)));
                    }
                }
            }
            // an attachment's header: magic (5 bytes), the key id's length, the key id
            try (var heads = st.executeQuery("SELECT data FROM attachment_chunks WHERE seq = 0")) {
                while (heads.next()) {
                    var head = heads.getBytes(1);
                    ids.add(new String(head, 6, head[5], StandardCharsets.US_ASCII));
                }
            }
        }
        return ids;
    }

    @Test
    void rotation_underLoad_rewrapsEveryJob_andTheOldKeyCanThenGo() throws Exception {
        var before = new ArrayList<String>();
        String doc;
        try (var api = start(K1)) {
            for (int i = 0; i < 300; i++) {
                before.add(api.submit("{\"task\": \"echo\", \"input\": {\"n\": " + i + "}}"));
            }
            doc = upload(api, DOC_SECRET);
            api.awaitJob(before.getLast());
            assertThat(api.awaitJob(doc).get("status").asText()).isEqualTo("completed");
        }
        assertThat(keyIdsInTheFile()).containsOnly("k1");

        var during = new CopyOnWriteArrayList<String>();
        try (var api = start(K2 + "\n" + K1)) { // the new key first: it wraps what is written from now on
            var stop = new AtomicBoolean();
            var load = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    during.add(api.submit("{\"task\": \"echo\", \"input\": {\"during\": true}}"));
                }
            });
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> during.size() > 100 && keyIdsInTheFile().equals(Set.of("k2")));
            stop.set(true);
            load.join();
            api.awaitJob(during.getLast());
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> keyIdsInTheFile().equals(Set.of("k2")));

        try (var api = start(K2)) { // the old key gone: everything still reads
            for (var id : before) {
                var job = json(api.get("/v1/jobs/" + id + "?include=input"));
                assertThat(job.get("status").asText()).isEqualTo("completed");
                assertThat(job.get("input").has("n")).isTrue();
            }
            for (var id : during) {
                assertThat(api.awaitJob(id).get("status").asText()).isEqualTo("completed");
            }
            // the document k1 wrote is read again under k2 alone: its header was re-wrapped
            var again = api.submit("{\"task\": \"extract\", \"input\": {\"document_id\": \"" + doc + "\"}}");
            var extracted = api.awaitJob(again);
            assertThat(extracted.get("status").asText()).as(extracted.toString()).isEqualTo("completed");
            assertThat(extracted.get("result").toString()).contains(DOC_SECRET);
        }
    }

    @Test
    void aWaitingJobThatDoesNotDecrypt_failsSayingSo_andTheOthersRun() throws Exception {
        var ids = new ArrayList<String>();
        var settings = new HashMap<String, String>(Map.of("encryption_keys", K1, "workers", "false"));
        try (var api = TestServer.start(dir.resolve("data"), settings, List.of())) {
            for (int i = 0; i < 5; i++) {
                ids.add(api.submit("{\"task\": \"echo\", \"input\": {\"n\": " + i + "}}"));
            }
        }
        var bad = ids.get(2);
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/spillway.db"));
             var st = db.createStatement()) {
            st.executeUpdate("UPDATE jobs SET input = (SELECT input FROM jobs WHERE id = '" + ids.get(0) + "') WHERE id = '" + bad + "'");
        }
        try (var api = start(K1)) {
            for (var id : ids) {
                if (!id.equals(bad)) {
                    assertThat(api.awaitJob(id).get("status").asText()).isEqualTo("completed");
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(bad).equals("failed"));
            assertThat(api.get("/v1/jobs/" + bad).statusCode()).as("its reads fail, saying so").isEqualTo(500);
            assertThat(json(api.get("/v1/jobs?status=completed")).get("jobs")).as("a listing leaves it out").hasSize(4);
        }
    }
}
