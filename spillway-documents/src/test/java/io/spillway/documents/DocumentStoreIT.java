package io.spillway.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentStoreIT {
    @TempDir
    Path dir;

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
    void aFailedSave_leavesNoFileBehind() throws Exception {
        var store = new DocumentStore(dir);
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

        assertThatThrownBy(() -> store.save(failing, "a.txt", 1 << 20)).isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> store.save(new ByteArrayInputStream(new byte[2048]), "a.txt", 1024))
                .isInstanceOf(DocumentStore.TooLargeException.class);
        assertThatThrownBy(() -> store.save(new ByteArrayInputStream(new byte[10]), "/", 1024))
                .isInstanceOf(DocumentStore.BadFilenameException.class);

        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }
}
