package io.spillway.documents;

import io.spillway.core.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Takes uploaded documents in: copies the upload to a temporary file within the size limit,
 * refuses a type no parser reads, and only then stores the bytes, so a refused upload leaves
 * nothing behind. Thread-safe.
 */
public final class DocumentIntake {
    private final DocumentStore store;
    private final Supplier<DocumentTypes> types;
    private final long maxBytes;

    /**
     * @param types    built on first use (Tika's set-up takes most of a second)
     * @param maxBytes the largest document accepted (setting max_upload_bytes)
     */
    public DocumentIntake(DocumentStore store, Supplier<DocumentTypes> types, long maxBytes) {
        this.store = store;
        this.types = types;
        this.maxBytes = maxBytes;
    }

    /** The upload was larger than allowed; nothing was kept. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long max) {
            super("the document is larger than " + max + " bytes (setting max_upload_bytes)");
        }
    }

    /** The upload is of a type no parser here reads; nothing was kept. */
    public static final class UnsupportedTypeException extends IOException {
        public UnsupportedTypeException(String mediaType) {
            super("unsupported document type " + mediaType
                    + "; supported: PDF, Word, Excel, PowerPoint, HTML and plain text");
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Checks and stores a document as the one of job {@code jobId} (the job is created next).
     *
     * @throws TooLargeException                  beyond {@link #maxBytes()}
     * @throws DocumentStore.BadFilenameException for a filename that cannot name a document
     * @throws UnsupportedTypeException           for a type no parser reads
     * @throws IOException                        when the upload cannot be read or stored
     */
    public DocumentStore.Stored accept(String jobId, InputStream in, String filename) throws IOException {
        var name = DocumentStore.filename(filename); // refused before anything is read
        var file = Files.createTempFile("spillway-upload-", ".part");
        try {
            copyAtMost(in, file);
            var media = types.get().detect(file, name);
            if (!types.get().supports(media)) {
                throw new UnsupportedTypeException(media.getBaseType().toString());
            }
            return store.save(jobId, file, name);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Deletes a stored document whose job was not created. */
    public void discard(DocumentStore.Stored stored) {
        store.delete(stored.id());
    }

    /**
     * Copies the upload to {@code file}. The client's stream failing is an {@link IOException};
     * this machine failing to keep the copy (a full disk) is a {@link StoreException}: the server's
     * problem, not the request's.
     */
    private void copyAtMost(InputStream in, Path file) throws IOException {
        long total = 0;
        try (var out = Files.newOutputStream(file)) {
            var buf = new byte[64 * 1024];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                total += n;
                if (total > maxBytes) {
                    throw new TooLargeException(maxBytes);
                }
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    throw new StoreException("cannot keep the upload while it is checked: " + e.getMessage(), e);
                }
            }
        }
    }
}
