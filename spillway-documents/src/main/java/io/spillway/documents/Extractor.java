package io.spillway.documents;

import java.nio.file.Path;

/**
 * Extracts a stored document's text and metadata within {@link ExtractLimits}: in this process
 * ({@link DocumentExtractor}) or in child processes whose heap bounds what a document can cost
 * ({@link ForkedExtractor}). Implementations are thread-safe.
 */
public interface Extractor extends AutoCloseable {
    /**
     * Extracts a document.
     *
     * @throws DocumentException    when the document cannot be extracted (unsupported, encrypted,
     *                              corrupt, a zip bomb, too large, too slow, too much memory);
     *                              retrying will not help
     * @throws InterruptedException when the calling thread is interrupted; the parse is stopped
     */
    Extracted extract(Path file, String filename) throws InterruptedException;

    /** Stops every parse in progress and releases the parsers. */
    @Override
    void close();
}
