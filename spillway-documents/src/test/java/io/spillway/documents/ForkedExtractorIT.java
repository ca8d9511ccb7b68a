package io.spillway.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.documents.testing.HostileDocuments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile documents extracted in child processes with a small heap (as the server runs them):
 * each fails or is cut with a reason, and the extractor goes on extracting.
 */
class ForkedExtractorIT {
    static final long HEAP = 256L << 20;
    static final ExtractLimits LIMITS = new ExtractLimits(50L << 20, 1_000_000, Duration.ofSeconds(60),
            ExtractLimits.DEFAULT_MAX_PART_BYTES);
    static ForkedExtractor extractor;
    @TempDir
    static Path dir;
    static Path memo;

    @BeforeAll
    static void start() throws Exception {
        extractor = new ForkedExtractor(LIMITS, 2, HEAP, List.of());
        memo = dir.resolve("memo.docx");
        try (var doc = new XWPFDocument(); var out = Files.newOutputStream(memo)) {
            doc.getProperties().getCoreProperties().setTitle("Quarterly memo");
            doc.createParagraph().createRun().setText("The quarterly results were strong and the team is growing.");
            doc.write(out);
        }
    }

    @AfterAll
    static void stop() {
        extractor.close();
    }

    private static void assertStillExtracts() throws InterruptedException {
        var e = extractor.extract(memo, "memo.docx");
        assertThat(e.text()).contains("quarterly results were strong");
        assertThat(e.metadata()).containsEntry("title", "Quarterly memo");
    }

    @Test
    void aZipBombOf1GB_isRefusedAsAZipBomb() throws Exception {
        var bomb = dir.resolve("bomb.docx");
        HostileDocuments.zipBomb(bomb, 1L << 30);
        assertThat(Files.size(bomb)).isLessThan(2L << 20);

        assertThatThrownBy(() -> extractor.extract(bomb, "bomb.docx")).isInstanceOf(DocumentException.class)
                .hasMessageContaining("zip bomb").hasMessageContaining("word/document.xml")
                .hasMessageContaining("expands more than 500 times");
        assertStillExtracts();
    }

    @Test
    void a45MBDocumentOfOrdinaryCompression_isStreamedAndCutAtTheTextLimit() throws Exception {
        var large = dir.resolve("large.docx");
        HostileDocuments.largeDocument(large, 330L << 20);
        long bytes = Files.size(large);
        assertThat(bytes).isBetween(35L << 20, 50L << 20);
        assertThat((330L << 20) / bytes).as("compression ratio").isBetween(5L, 10L);

        var e = extractor.extract(large, "large.docx");

        assertThat(e.truncated()).isTrue();
        assertThat(e.text().length()).isLessThanOrEqualTo(LIMITS.maxChars()).isGreaterThan(LIMITS.maxChars() - 1000);
        assertStillExtracts();
    }

    @Test
    void aDocumentNeedingMoreThanTheHeap_failsAndTheProcessIsReplaced() throws Exception {
        var heavy = dir.resolve("heavy.docx");
        HostileDocuments.largeProperties(heavy, 100L << 20); // read whole by POI; under the part limit
        assertThat(Files.size(heavy)).isLessThan(50L << 20);

        assertThatThrownBy(() -> extractor.extract(heavy, "heavy.docx")).isInstanceOf(DocumentException.class)
                .hasMessageContaining("needs more memory to extract than the 256 MiB")
                .hasMessageContaining("extract_heap_bytes");
        assertStillExtracts();
        assertThat(extractor.processes()).isBetween(1, 2);
    }

    @Test
    void threeHostileDocumentsAtOnce_eachFailOnItsOwn() throws Exception {
        var bomb = dir.resolve("bomb3.docx");
        HostileDocuments.zipBomb(bomb, 1L << 30);
        var heavy = dir.resolve("heavy3.docx");
        HostileDocuments.largeProperties(heavy, 100L << 20);
        var tasks = new ArrayList<Callable<String>>();
        for (var file : List.of(bomb, heavy, bomb)) {
            tasks.add(() -> {
                try {
                    extractor.extract(file, file.getFileName().toString());
                    return "extracted";
                } catch (DocumentException e) {
                    return e.getMessage();
                }
            });
        }
        try (var pool = Executors.newFixedThreadPool(3)) {
            var results = new ArrayList<String>();
            for (var f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
            assertThat(results.get(0)).contains("zip bomb");
            assertThat(results.get(1)).contains("needs more memory");
            assertThat(results.get(2)).contains("zip bomb");
        }
        assertStillExtracts();
        assertThat(extractor.processes()).isLessThanOrEqualTo(2);
    }

    @Test
    void aParseOverTheTimeLimit_isStoppedAndTheProcessGoesOn() throws Exception {
        var pdf = dir.resolve("long.pdf");
        SamplePdf.write(pdf, 60, null);
        try (var impatient = new ForkedExtractor(new ExtractLimits(50L << 20, 1_000_000, Duration.ofMillis(1),
                ExtractLimits.DEFAULT_MAX_PART_BYTES), 1, HEAP, List.of())) {
            assertThatThrownBy(() -> impatient.extract(pdf, "long.pdf")).isInstanceOf(DocumentException.class)
                    .hasMessageContaining("took longer than 1 ms");
            assertThat(impatient.processes()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void corruptAndUnsupportedDocuments_failWithTheChildsReason() throws Exception {
        var bin = dir.resolve("blob.bin");
        Files.write(bin, new byte[] {0, 1, 2, 3, (byte) 0xff, 0, 0, 7, 9});

        assertThatThrownBy(() -> extractor.extract(bin, "blob.bin")).isInstanceOf(DocumentException.class)
                .hasMessageContaining("unsupported document type");
        assertStillExtracts();
    }
}
