package io.spillway.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.core.store.InMemoryJobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DocumentStoreIT {
    @Test
    void filenames_keepTheLastSegmentAndRefuseNamesOfNoFile() throws Exception {
        assertThat(DocumentStore.filename("report.pdf")).isEqualTo("report.pdf");
        assertThat(DocumentStore.filename("C:\\Users\\dana\\report.pdf")).isEqualTo("report.pdf");
        assertThat(DocumentStore.filename("../../etc/passwd")).isEqualTo("passwd");
        assertThat(DocumentStore.filename(null)).isEqualTo("document");
        assertThat(DocumentStore.filename("  ")).isEqualTo("document");
        for (var bad : new String[] {"/", "..", ".", "a/", "dir\\..", "a\u0000b.txt", "a\nb", "x".repeat(256)}) {
            assertThatThrownBy(() -> DocumentStore.filename(bad)).as(bad).isInstanceOf(DocumentStore.BadFilenameException.class)
                    .hasMessageContaining("filename");
        }
    }

    @Test
    void aFailedUpload_leavesNothingInTheStoreNorATemporaryFile() throws Exception {
        var jobs = new InMemoryJobStore();
        var intake = new DocumentIntake(new DocumentStore(jobs), DocumentTypes::new, 1024);
        InputStream failing = new InputStream() {
            int sent;

            @Override
            public int read() {
                if (sent++ > 100_000) {
                    throw new UncheckedIOException(new IOException("the client went away"));
                }
                return 'x';
            }
        };
        long before = temporaryUploads();

        assertThatThrownBy(() -> intake.accept("job-1", failing, "a.txt")).isInstanceOf(DocumentIntake.TooLargeException.class);
        assertThatThrownBy(() -> intake.accept("job-2", new ByteArrayInputStream(new byte[2048]), "a.txt"))
                .isInstanceOf(DocumentIntake.TooLargeException.class);
        assertThatThrownBy(() -> intake.accept("job-3", new ByteArrayInputStream(new byte[10]), "/"))
                .isInstanceOf(DocumentStore.BadFilenameException.class);
        assertThatThrownBy(() -> intake.accept("job-4", new ByteArrayInputStream(new byte[] {0, 1, 2, (byte) 0xfe}), "blob.bin"))
                .isInstanceOf(DocumentIntake.UnsupportedTypeException.class);

        for (var id : new String[] {"job-1", "job-2", "job-3", "job-4"}) {
            assertThat(jobs.attachmentGet(id, DocumentStore.ATTACHMENT)).isEmpty();
        }
        assertThat(temporaryUploads()).isEqualTo(before);
        var kept = intake.accept("job-5", new ByteArrayInputStream("plain words".getBytes(StandardCharsets.UTF_8)), "notes.txt");
        assertThat(kept).isEqualTo(new DocumentStore.Stored("job-5", "notes.txt", 11));
    }

    private static long temporaryUploads() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("spillway-upload-")).count();
        }
    }
}
