package io.spillway.documents;

import java.util.Map;

/**
 * A document's text and metadata.
 *
 * @param text      plain text, at most the limit's characters
 * @param truncated whether text was cut at the limit
 * @param metadata  content_type, title, author, created, modified, page_count, language,
 *                  word_count, characters (absent keys: the document does not say)
 * @param computeMs time spent parsing
 */
public record Extracted(String text, boolean truncated, Map<String, Object> metadata, long computeMs) {
}
