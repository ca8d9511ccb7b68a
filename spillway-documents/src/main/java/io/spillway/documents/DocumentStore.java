package io.spillway.documents;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Uploaded documents, as files in a directory (the data directory's {@code documents/}): the
 * bytes as {@code <id>} and what the client said about them as {@code <id>.json}. A document is
 * visible only once it is completely written (written under a temporary name, then moved).
 * In the distributed shape this directory must be shared by gateways and workers.
 */
public final class DocumentStore {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public DocumentStore(Path dir) {
        this.dir = dir;
    }

    /** A stored document. */
    public record Stored(String id, String filename, long bytes) {
    }

    /** The upload was larger than allowed; nothing was kept. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long max) {
            super("the document is larger than " + max + " bytes (setting max_upload_bytes)");
        }
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

    /**
     * Copies a document in, refusing it (and keeping nothing) beyond {@code maxBytes}. Whatever
     * goes wrong, no partial file is left behind.
     *
     * @throws TooLargeException    beyond the limit
     * @throws BadFilenameException for a filename {@link #filename} refuses (before anything is read)
     */
    public Stored save(InputStream in, String filename, long maxBytes) throws IOException {
        var name = filename(filename);
        Files.createDirectories(dir);
        var id = UUID.randomUUID().toString();
        var tmp = dir.resolve(id + ".part");
        var meta = dir.resolve(id + ".json");
        try {
            long total = 0;
            try (var out = Files.newOutputStream(tmp)) {
                var buf = new byte[64 * 1024];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    total += n;
                    if (total > maxBytes) {
                        throw new TooLargeException(maxBytes);
                    }
                    out.write(buf, 0, n);
                }
            }
            Files.writeString(meta, JSON.writeValueAsString(Map.of("filename", name, "bytes", total)));
            Files.move(tmp, dir.resolve(id), StandardCopyOption.ATOMIC_MOVE);
            return new Stored(id, name, total);
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(meta);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    /** A document by id; empty for a malformed or unknown id. */
    public Optional<Stored> get(String id) {
        if (id == null || !ID.matcher(id).matches() || !Files.isRegularFile(dir.resolve(id))) {
            return Optional.empty();
        }
        try {
            var meta = JSON.readTree(dir.resolve(id + ".json").toFile());
            return Optional.of(new Stored(id, meta.path("filename").asText("document"), meta.path("bytes").asLong()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes' file of a stored document. */
    public Path path(Stored document) {
        return dir.resolve(document.id());
    }

    public void delete(String id) throws IOException {
        if (ID.matcher(id).matches()) {
            Files.deleteIfExists(dir.resolve(id));
            Files.deleteIfExists(dir.resolve(id + ".json"));
        }
    }
}
