package io.spillway.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code extract}: {@code {"document_id"}} (from {@code POST /v1/documents}) → {@code {"text",
 * "truncated", "metadata": {"content_type", "title", "author", "created", "modified",
 * "page_count", "language", "word_count", "characters", "filename", "bytes"}, "usage": {"model", "cost",
 * "compute_ms"}}}. A document Tika cannot read fails the job with the reason; it is not retried.
 */
public final class ExtractTask implements TaskHandler {
    public static final String NAME = "extract";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DocumentStore documents;
    private final Supplier<? extends Extractor> extractor;

    /** @param extractor built on first use: the parser set-up takes most of a second */
    public ExtractTask(DocumentStore documents, Supplier<? extends Extractor> extractor) {
        this.documents = documents;
        this.extractor = extractor;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean takesDocuments() {
        return true;
    }

    @Override
    public void validate(String inputJson) {
        document(inputJson);
    }

    private DocumentStore.Stored document(String inputJson) {
        JsonNode input;
        try {
            input = JSON.readTree(inputJson);
        } catch (IOException e) {
            throw new InvalidInputException("the input is not JSON");
        }
        var id = input == null ? null : input.get("document_id");
        if (id == null || !id.isTextual()) {
            throw new InvalidInputException("'document_id' is required: upload the document with POST /v1/documents");
        }
        return documents.get(id.asText())
                .orElseThrow(() -> new InvalidInputException("no document with id '" + id.asText() + "'"));
    }

    /** Extracts a stored document (for pipelines and tests). */
    public Extracted extract(DocumentStore.Stored document) throws InterruptedException {
        return extractor.get().extract(documents.path(document), document.filename());
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws InterruptedException {
        var out = new ArrayList<Outcome>(batch.size());
        for (var job : batch) {
            try {
                var document = document(job.input());
                out.add(Outcome.completed(result(document, extract(document))));
            } catch (InvalidInputException | DocumentException e) {
                out.add(Outcome.failed(e.getMessage()));
            }
        }
        return out;
    }

    static String result(DocumentStore.Stored document, Extracted e) {
        var metadata = new LinkedHashMap<>(e.metadata());
        metadata.put("filename", document.filename());
        metadata.put("bytes", document.bytes());
        var result = new LinkedHashMap<String, Object>();
        result.put("text", e.text());
        result.put("truncated", e.truncated());
        result.put("metadata", metadata);
        var usage = new LinkedHashMap<String, Object>();
        usage.put("model", DocumentExtractor.NAME);
        usage.put("compute_ms", e.computeMs());
        usage.put("cost", 0.0); // parsing is not priced; models are
        result.put("usage", usage);
        try {
            return JSON.writeValueAsString(result);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
