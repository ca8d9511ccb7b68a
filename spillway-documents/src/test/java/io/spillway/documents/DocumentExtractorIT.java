package io.spillway.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.documents.testing.HostileDocuments;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentExtractorIT {
    static final ExtractLimits LIMITS = new ExtractLimits(10L << 20, 50_000, Duration.ofSeconds(30),
            ExtractLimits.DEFAULT_MAX_PART_BYTES);
    static DocumentExtractor extractor;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        extractor = new DocumentExtractor(LIMITS);
    }

    @AfterAll
    static void stop() {
        extractor.close();
    }

    @Test
    void pdf_givesTextAndMetadata() throws Exception {
        var pdf = dir.resolve("report.pdf");
        SamplePdf.write(pdf, 5, null);

        var e = extractor.extract(pdf, "report.pdf");

        assertThat(e.text()).contains("light rail").contains("Section 5");
        assertThat(e.truncated()).isFalse();
        assertThat(e.metadata()).containsEntry("content_type", "application/pdf").containsEntry("page_count", 5)
                .containsEntry("title", "Light Rail Annual Report").containsEntry("author", "Regional Transport Authority")
                .containsKey("created").containsEntry("language", "en");
        assertThat((int) e.metadata().get("word_count")).isGreaterThan(500);
    }

    @Test
    void docxHtmlAndText_areRead() throws Exception {
        var docx = dir.resolve("memo.docx");
        try (var doc = new XWPFDocument(); var out = Files.newOutputStream(docx)) {
            doc.getProperties().getCoreProperties().setTitle("Quarterly memo");
            doc.getProperties().getCoreProperties().setCreator("Dana Smith");
            doc.createParagraph().createRun().setText("The quarterly results were strong and the team is growing.");
            doc.write(out);
        }
        var html = dir.resolve("page.html");
        Files.writeString(html, "<html><head><title>Release notes</title></head><body><p>Version two is faster.</p></body></html>");
        var txt = dir.resolve("notes.txt");
        Files.writeString(txt, "Plain notes about the migration plan for next week.");

        var d = extractor.extract(docx, "memo.docx");
        assertThat(d.text()).contains("quarterly results were strong");
        assertThat(d.metadata()).containsEntry("title", "Quarterly memo").containsEntry("author", "Dana Smith");
        assertThat(d.metadata().get("content_type").toString()).contains("wordprocessingml");

        var h = extractor.extract(html, "page.html");
        assertThat(h.text()).contains("Version two is faster.");
        assertThat(h.metadata()).containsEntry("title", "Release notes");

        assertThat(extractor.extract(txt, "notes.txt").text()).contains("migration plan");
    }

    @Test
    void longText_isCutAtTheLimitAndSaysSo() throws Exception {
        var txt = dir.resolve("long.txt");
        Files.writeString(txt, "word ".repeat(30_000));

        var e = extractor.extract(txt, "long.txt");

        assertThat(e.truncated()).isTrue();
        assertThat(e.text().length()).isLessThanOrEqualTo(50_000);
    }

    @Test
    void anEncryptedPdf_isRefusedWithTheReason() throws Exception {
        var pdf = dir.resolve("secret.pdf");
        SamplePdf.write(pdf, 1, "s3cret");

        assertThatThrownBy(() -> extractor.extract(pdf, "secret.pdf")).isInstanceOf(DocumentException.class)
                .hasMessageContaining("encrypted");
    }

    @Test
    void aCorruptPdf_isRefusedWithTheReason() throws Exception {
        var pdf = dir.resolve("broken.pdf");
        Files.writeString(pdf, "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> garbage garbage\n");

        assertThatThrownBy(() -> extractor.extract(pdf, "broken.pdf")).isInstanceOf(DocumentException.class)
                .hasMessage("the file is not a valid PDF: Missing root object specification in trailer.");
    }

    @Test
    void aTruncatedPdf_saysWhatIsWrongWithTheFileNotWhichParserFailed() throws Exception {
        var whole = dir.resolve("whole.pdf");
        SamplePdf.write(whole, 3, null);
        var bytes = Files.readAllBytes(whole);
        var pdf = Files.write(dir.resolve("truncated.pdf"), Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> extractor.extract(pdf, "truncated.pdf")).isInstanceOf(DocumentException.class)
                .hasMessageStartingWith("the file is not a valid PDF: ")
                .hasMessageNotContaining("TIKA-198").hasMessageNotContaining("Parser@");
    }

    @Test
    void randomBytesNamedDocx_sayTheFileIsNotAWordDocument() throws Exception {
        var random = new byte[20_000];
        new Random(1).nextBytes(random);
        var docx = Files.write(dir.resolve("random.docx"), random);
        random[0] = 'P';
        random[1] = 'K';
        random[2] = 3;
        random[3] = 4;
        var zipLike = Files.write(dir.resolve("zip-like.docx"), random);

        for (var file : List.of(docx, zipLike)) {
            assertThatThrownBy(() -> extractor.extract(file, file.getFileName().toString()))
                    .isInstanceOf(DocumentException.class)
                    .hasMessage("the file is not a valid Word document (docx): No valid entries or contents found, "
                            + "this is not a valid OOXML (Office Open XML) file");
        }
    }

    @Test
    void reasons_dropTheParsersWrappers() {
        var wrapped = new IOException("TIKA-198: Illegal IOException from org.apache.tika.parser.pdf.PDFParser@37340dea",
                new IOException("Page tree root must be a dictionary"));
        assertThat(DocumentExtractor.reason(wrapped)).isEqualTo("Page tree root must be a dictionary");
        assertThat(DocumentExtractor.reason(new IOException("TIKA-198: Illegal IOException from x.Parser@1a2b3c")))
                .isEqualTo("it could not be parsed");
    }

    @Test
    void unsupportedAndEmptyFiles_areRefused() throws Exception {
        var bin = dir.resolve("blob.bin");
        Files.write(bin, new byte[] {0, 1, 2, 3, (byte) 0xff, 0, 0, 7, 9});
        var empty = Files.createFile(dir.resolve("empty.pdf"));

        assertThatThrownBy(() -> extractor.extract(bin, "blob.bin")).hasMessageContaining("unsupported document type");
        assertThatThrownBy(() -> extractor.extract(empty, "empty.pdf")).hasMessageContaining("empty");
    }

    @Test
    void aZipBombDressedAsADocx_isRefusedWithoutExpandingIt() throws Exception {
        var bomb = dir.resolve("bomb.docx");
        try (var zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("[Content_Types].xml"));
            zip.write(("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                    + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument"
                    + ".wordprocessingml.document.main+xml\"/></Types>").getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("word/document.xml"));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++) { // 200 MiB of zeros compress to about 200 KiB
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertThat(Files.size(bomb)).isLessThan(1 << 20);

        assertThatThrownBy(() -> extractor.extract(bomb, "bomb.docx")).isInstanceOf(DocumentException.class)
                .hasMessageMatching("(?s).*(zip bomb|not a valid Word document).*");
    }

    @Test
    void aZipBombWithAValidPackage_isRefusedByTheExpansionGuard() throws Exception {
        var bomb = dir.resolve("valid-bomb.docx");
        HostileDocuments.zipBomb(bomb, 1L << 30);

        assertThatThrownBy(() -> extractor.extract(bomb, "valid-bomb.docx")).isInstanceOf(DocumentException.class)
                .hasMessageContaining("zip bomb: its part word/document.xml expands more than 500 times");
    }

    @Test
    void aPartBeyondTheExpansionLimit_isRefused() throws Exception {
        var large = dir.resolve("large.docx");
        HostileDocuments.largeDocument(large, 8L << 20);
        try (var strict = new DocumentExtractor(new ExtractLimits(10L << 20, 10_000_000, Duration.ofSeconds(30), 4L << 20))) {
            assertThatThrownBy(() -> strict.extract(large, "large.docx")).isInstanceOf(DocumentException.class)
                    .hasMessageContaining("its part word/document.xml expands beyond 4194304 bytes (setting max_expanded_part_bytes)");
        } finally {
            extractor.close();
            extractor = new DocumentExtractor(LIMITS); // the guard is process-wide: put the shared limits back
        }
    }

    @Test
    void longMetadata_isCut() throws Exception {
        var docx = dir.resolve("title.docx");
        try (var doc = new XWPFDocument(); var out = Files.newOutputStream(docx)) {
            doc.getProperties().getCoreProperties().setTitle("t".repeat(100_000));
            doc.createParagraph().createRun().setText("Body text.");
            doc.write(out);
        }

        var e = extractor.extract(docx, "title.docx");

        assertThat(e.metadata().get("title").toString()).hasSize(DocumentExtractor.MAX_METADATA_CHARS + 1);
    }

    @Test
    void aParseOverTheTimeLimit_isStopped() throws IOException {
        var pdf = dir.resolve("big.pdf");
        SamplePdf.write(pdf, 40, null);
        try (var impatient = new DocumentExtractor(new ExtractLimits(10L << 20, 1_000_000, Duration.ofMillis(1), ExtractLimits.DEFAULT_MAX_PART_BYTES))) {
            assertThatThrownBy(() -> impatient.extract(pdf, "big.pdf")).hasMessageContaining("took longer than 1 ms");
        }
    }

    @Test
    void aDocumentOverTheByteLimit_isRefusedUnread() throws IOException {
        var txt = dir.resolve("big.txt");
        Files.write(txt, new byte[2048]);
        try (var small = new DocumentExtractor(new ExtractLimits(1024, 1_000, Duration.ofSeconds(5), ExtractLimits.DEFAULT_MAX_PART_BYTES))) {
            assertThatThrownBy(() -> small.extract(txt, "big.txt")).hasMessageContaining("at most 1024");
        }
    }
}
