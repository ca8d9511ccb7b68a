package io.spillway.documents;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * Takes uploaded documents in: stores the bytes within the size limit and refuses a type no
 * parser reads, keeping nothing of a refused upload. Thread-safe.
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
     * Stores a document and checks its type.
     *
     * @throws DocumentStore.TooLargeException    beyond {@link #maxBytes()}
     * @throws DocumentStore.BadFilenameException for a filename that cannot name a document
     * @throws UnsupportedTypeException           for a type no parser reads
     * @throws IOException                        when the upload cannot be read or stored
     */
    public DocumentStore.Stored accept(InputStream in, String filename) throws IOException {
        var stored = store.save(in, filename, maxBytes);
        try {
            var media = types.get().detect(store.path(stored), stored.filename());
            if (!types.get().supports(media)) {
                throw new UnsupportedTypeException(media.getBaseType().toString());
            }
            return stored;
        } catch (IOException | RuntimeException e) {
            discard(stored, e);
            throw e;
        }
    }

    /** Deletes a stored document whose job was not created. */
    public void discard(DocumentStore.Stored stored) throws IOException {
        store.delete(stored.id());
    }

    private void discard(DocumentStore.Stored stored, Exception cause) {
        try {
            store.delete(stored.id());
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
