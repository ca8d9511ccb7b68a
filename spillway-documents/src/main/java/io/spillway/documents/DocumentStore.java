package io.spillway.documents;

import io.spillway.core.store.Attachment;
import io.spillway.core.store.JobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Uploaded documents, kept in the job store as the attachment {@value #ATTACHMENT} of the job the
 * upload created (a document's id is that job's id), so a gateway and a worker on two machines
 * share them through the database alone. A document goes with its job at retention.
 */
public final class DocumentStore {
    /** The attachment name a document is kept under. */
    public static final String ATTACHMENT = "document";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final JobStore store;

    public DocumentStore(JobStore store) {
        this.store = store;
    }

    /** A stored document. */
    public record Stored(String id, String filename, long bytes) {
    }

    /** Work on a document's bytes as a local file. */
    @FunctionalInterface
    public interface FileWork<T> {
        T run(Path file) throws IOException, InterruptedException;
    }

    /** The filename the client sent cannot name a stored document; nothing was kept. */
    public static final class BadFilenameException extends IOException {
        public BadFilenameException(String message) {
            super(message);
        }
    }

    /** Longest filename kept, in characters. */
    public static final int MAX_FILENAME_CHARS = 255;

    /**
     * The name a document is kept under: the last segment of what the client sent (a client may
     * send a path, with either separator), or {@code document} when it sent none.
     *
     * @throws BadFilenameException for a name with a control character, one that names no file
     *                              ({@code /}, {@code ..}) or one longer than {@link #MAX_FILENAME_CHARS}
     */
    public static String filename(String sent) throws BadFilenameException {
        if (sent == null || sent.isBlank()) {
            return "document";
        }
        for (int i = 0; i < sent.length(); i++) {
            char c = sent.charAt(i);
            if (Character.isISOControl(c)) {
                throw new BadFilenameException(String.format("the filename contains a control character (U+%04X); "
                        + "send the file's own name, such as report.pdf", (int) c));
            }
        }
        var name = sent.substring(Math.max(sent.lastIndexOf('/'), sent.lastIndexOf('\\')) + 1).strip();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new BadFilenameException("the filename '" + (sent.length() > 80 ? sent.substring(0, 80) + "…" : sent)
                    + "' names no file; send the file's own name, such as report.pdf, or none");
        }
        if (name.length() > MAX_FILENAME_CHARS) {
            throw new BadFilenameException("the filename is " + name.length() + " characters long; at most "
                    + MAX_FILENAME_CHARS);
        }
        return name;
    }

    /** Stores the file's bytes as the document of job {@code id}. */
    public Stored save(String id, Path file, String filename) throws IOException {
        try (var in = Files.newInputStream(file)) {
            var a = store.attachmentWrite(id, ATTACHMENT, filename, in, store.clock().instant());
            return new Stored(id, a.filename(), a.bytes());
        }
    }

    /**
     * A document of the tenant by id (a document belongs to the tenant of the job it was uploaded
     * with, under the same id); empty for a malformed or unknown id, or another tenant's document.
     */
    public Optional<Stored> get(String tenant, String id) {
        if (id == null || !ID.matcher(id).matches() || store.jobGet(tenant, id).isEmpty()) {
            return Optional.empty();
        }
        return store.attachmentGet(id, ATTACHMENT).map(a -> new Stored(id, a.filename() == null ? "document" : a.filename(),
                a.bytes()));
    }

    /**
     * Runs {@code work} on the document's bytes copied to a temporary file (parsers want random
     * access), deleted afterwards.
     */
    public <T> T withFile(Stored document, FileWork<T> work) throws IOException, InterruptedException {
        var file = Files.createTempFile("spillway-document-", ".bin");
        try {
            var attachment = new Attachment(document.id(), ATTACHMENT, document.filename(), document.bytes());
            try (var in = store.attachmentRead(attachment)) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return work.run(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Deletes a document whose job was not created. */
    public void delete(String id) {
        if (ID.matcher(id).matches()) {
            store.attachmentDeleteAll(id);
        }
    }
}
