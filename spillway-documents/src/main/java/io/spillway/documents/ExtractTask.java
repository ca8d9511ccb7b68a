package io.spillway.documents;

import io.spillway.core.Job;
import io.spillway.core.Outcome;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.json.Json;
import io.spillway.core.json.Usage;
import io.spillway.core.task.InvalidInputException;
import io.spillway.core.task.TaskHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * {@code extract}: {@code {"document_id"}} (from {@code POST /v1/documents}) → {@code {"text",
 * "truncated", "metadata": {"content_type", "title", "author", "created", "modified",
 * "page_count", "language", "word_count", "characters", "filename", "bytes"}, "usage": {"model", "cost",
 * "compute_ms"}}}. A document Tika cannot read fails the job with the reason; it is not retried.
 */
public final class ExtractTask implements TaskHandler {
    public static final String NAME = "extract";

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
    public boolean reportsUsage() {
        return true;
    }

    /** Parsing is not priced. */
    @Override
    public OptionalDouble estimateCost(JobInput input, Priority priority) {
        return OptionalDouble.of(0);
    }

    /** The shape only: whether the document exists for the job's tenant is checked at submit and when it runs. */
    @Override
    public void validate(JobInput input) {
        documentId(input);
    }

    private static String documentId(JobInput input) {
        var id = input.field("document_id");
        if (id == null || !id.isTextual()) {
            throw new InvalidInputException("'document_id' is required: upload the document with POST /v1/documents");
        }
        return id.asText();
    }

    /** The job's document: one its own tenant uploaded, never another tenant's. */
    private DocumentStore.Stored document(Job job) {
        var id = documentId(job.input());
        return documents.get(job.tenant(), id).orElseThrow(() -> new InvalidInputException("no document with id '" + id + "'"));
    }

    /** Extracts a stored document (for pipelines and tests). */
    public Extracted extract(DocumentStore.Stored document) throws InterruptedException {
        try {
            return documents.withFile(document, file -> extractor.get().extract(file, document.filename()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read document " + document.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Outcome> run(List<Job> batch) throws Exception {
        return TaskHandler.eachJob(batch, job -> {
            var document = document(job);
            try {
                return Outcome.completed(result(document, extract(document)));
            } catch (DocumentException e) {
                return Outcome.failed(e.getMessage());
            }
        });
    }

    static String result(DocumentStore.Stored document, Extracted e) {
        var metadata = new LinkedHashMap<>(e.metadata());
        metadata.put("filename", document.filename());
        metadata.put("bytes", document.bytes());
        var result = new LinkedHashMap<String, Object>();
        result.put("text", e.text());
        result.put("truncated", e.truncated());
        result.put("metadata", metadata);
        result.put("usage", Usage.unpriced(DocumentExtractor.NAME, e.computeMs()).toNode()); // models are priced
        return Json.write(result);
    }
}
