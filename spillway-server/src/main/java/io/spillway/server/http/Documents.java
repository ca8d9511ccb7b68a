package io.spillway.server.http;

import io.spillway.documents.DocumentExtractor;
import io.spillway.documents.DocumentStore;
import java.util.function.Supplier;

/**
 * What {@code POST /v1/documents} needs: where uploads go, and the extractor (built on first use)
 * whose detector refuses unsupported types at upload time.
 */
public record Documents(DocumentStore store, Supplier<DocumentExtractor> extractor) {
}
