package io.spillway.server.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.UploadedFile;
import io.spillway.core.engine.Engine;
import io.spillway.documents.DocumentIntake;
import io.spillway.documents.DocumentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code POST /v1/documents}: a multipart upload that becomes a document job. */
final class DocumentRoutes implements RouteFamily {
    private static final Logger log = LoggerFactory.getLogger(DocumentRoutes.class);
    static final Route UPLOAD = Route.post("/v1/documents",
            "Upload a document (multipart field file) and create a document job").takingWork();
    static final List<Route> ROUTES = List.of(UPLOAD);

    /** Room for the multipart framing and small fields around the file. */
    static final long UPLOAD_OVERHEAD = 64 * 1024;

    private final Engine engine;
    private final DocumentIntake intake;
    private final JobRequests requests;
    private final JobJson json;

    DocumentRoutes(Engine engine, DocumentIntake intake, JobRequests requests, JobJson json) {
        this.engine = engine;
        this.intake = intake;
        this.requests = requests;
        this.json = json;
    }

    @Override
    public Map<Route, Handler> handlers() {
        return Map.of(UPLOAD, this::upload);
    }

    /**
     * Stores the multipart field {@code file} and creates a job of the task in {@code ?task=}
     * (default {@code document}) with input {@code {"document_id"}}.
     */
    private void upload(Context ctx) {
        if (ctx.req().getContentLengthLong() > intake.maxBytes() + UPLOAD_OVERHEAD) {
            throw tooLarge();
        }
        var type = ctx.contentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new ApiException(415, "send the document as multipart/form-data with the file in the field 'file'");
        }
        var task = ctx.queryParamMap().containsKey("task") ? ctx.queryParam("task") : "document";
        requests.checkTakesDocuments(task);
        var file = uploadedFile(ctx);
        DocumentStore.Stored stored;
        try (var in = file.content()) {
            stored = intake.accept(requests.nextId(), in, file.filename());
        } catch (DocumentIntake.TooLargeException e) {
            throw tooLarge();
        } catch (DocumentStore.BadFilenameException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (DocumentIntake.UnsupportedTypeException e) {
            throw new ApiException(415, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            throw ApiException.badRequest("the upload could not be read: " + innermost(e));
        } catch (RuntimeException e) {
            throw multipartError(e);
        }
        try {
            var newJob = requests.forDocument(Callers.of(ctx).tenant(), task, stored, ctx.queryParam("priority"), ctx.header("Idempotency-Key"),
                    Traceparent.valid(ctx.header("traceparent")));
            var committed = engine.submit(newJob);
            ctx.future(() -> committed.handle((result, error) -> {
                if (error != null) {
                    discard(stored);
                    ErrorMapper.answer(ctx, error);
                } else if (!result.created()) {
                    discard(stored);
                    JobRoutes.answerSubmit(ctx, json, newJob.requestHash(), result);
                } else {
                    ctx.header("Location", "/v1/jobs/" + result.job().id());
                    ctx.status(202).contentType(RequestBodies.JSON).result(json.acceptedDocument(result.job().id(), stored.id()));
                }
                return null;
            }));
        } catch (RuntimeException e) {
            discard(stored);
            throw e;
        }
    }

    private UploadedFile uploadedFile(Context ctx) {
        UploadedFile file;
        try {
            file = ctx.uploadedFile("file");
        } catch (Exception e) { // Jetty's ServletException too, which Javalin rethrows undeclared
            throw multipartError(e);
        }
        if (file == null) {
            throw ApiException.unprocessable("the multipart field 'file' is missing; send the document in it");
        }
        return file;
    }

    /**
     * What a failure to read the multipart body means for the client. Jetty reports a part over
     * the size limit and every malformed body as one "bad multipart" error; only its causes say which.
     */
    private ApiException multipartError(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            var message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("max file size exceeded") || message.contains("max length exceeded")
                    || message.contains("exceeds max") || t instanceof DocumentIntake.TooLargeException) {
                return tooLarge();
            }
        }
        var reason = innermost(e);
        if (reason.toLowerCase(Locale.ROOT).startsWith("400: invalid byte")) {
            return ApiException.badRequest("the multipart body could not be read: a part's headers hold an invalid byte ("
                    + reason.substring(5) + "); a filename must not contain control characters");
        }
        return ApiException.badRequest("the multipart body could not be read: " + reason
                + "; send multipart/form-data with a boundary and the document in the field 'file'");
    }

    /** The innermost message of a failure, without the wrappers' ("bad multipart", "ServletException: …"). */
    private static String innermost(Throwable e) {
        String reason = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                reason = t.getMessage();
            }
        }
        if (reason == null) {
            return "it is malformed";
        }
        reason = reason.strip().replaceAll("\\s+", " ");
        return JobRequests.truncate(reason);
    }

    private ApiException tooLarge() {
        return new ApiException(413, "the document is larger than the limit of " + intake.maxBytes()
                + " bytes (setting max_upload_bytes)", Map.of("Connection", "close"));
    }

    private void discard(DocumentStore.Stored stored) {
        try {
            intake.discard(stored);
        } catch (RuntimeException e) {
            // the sweep of attachments without a job takes it later
            log.warn("could not delete the refused upload {}: {}", stored.id(), e.toString());
        }
    }
}
