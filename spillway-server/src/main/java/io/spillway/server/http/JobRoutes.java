package io.spillway.server.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.spillway.core.JobIds;
import io.spillway.core.JobState;
import io.spillway.core.NewJob;
import io.spillway.core.engine.Engine;
import io.spillway.core.store.InsertResult;
import io.spillway.core.store.ListParams;
import io.spillway.core.task.TaskHandler;
import io.spillway.server.auth.Audit;
import io.spillway.server.metrics.Tracing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** {@code /v1/jobs}: submit, get (long poll), list, cancel and retry. */
final class JobRoutes implements RouteFamily {
    static final Route SUBMIT = Route.post("/v1/jobs", "Submit a job").takingWork();
    static final Route LIST = Route.get("/v1/jobs", "List jobs, newest first");
    static final Route GET = Route.get("/v1/jobs/{id}", "Get a job's status and result; ?wait= long-polls");
    static final Route CANCEL = Route.post("/v1/jobs/{id}/cancel", "Cancel a pending job");
    static final Route RETRY = Route.post("/v1/jobs/{id}/retry",
            "Run a failed, cancelled or expired job again, as a new job").takingWork();
    static final List<Route> ROUTES = List.of(SUBMIT, LIST, GET, CANCEL, RETRY);

    private final Engine engine;
    private final JobRequests requests;
    private final JobJson json;
    private final RequestBodies bodies;
    private final Tracing tracing;
    private final JobIds jobIds;
    private final Duration maxWait;
    private final Audit audit;

    JobRoutes(Engine engine, JobRequests requests, JobJson json, RequestBodies bodies, Tracing tracing, JobIds jobIds,
              Duration maxWait, Audit audit) {
        this.audit = audit;
        this.engine = engine;
        this.requests = requests;
        this.json = json;
        this.bodies = bodies;
        this.tracing = tracing;
        this.jobIds = jobIds;
        this.maxWait = maxWait;
    }

    @Override
    public Map<Route, Handler> handlers() {
        return Map.of(SUBMIT, this::submit, LIST, this::list, GET, this::get, CANCEL, this::cancel, RETRY, this::retry);
    }

    private void submit(Context ctx) {
        byte[] body = bodies.read(ctx);
        RequestBodies.checkJsonContentType(ctx);
        var span = tracing.startAccept(SUBMIT.path(), Traceparent.valid(ctx.header("traceparent")));
        CompletableFuture<InsertResult> committed;
        NewJob newJob;
        try {
            newJob = requests.parse(Callers.of(ctx).tenant(), body, ctx.header("Idempotency-Key"), span.traceparent());
            checkDocument(newJob);
            committed = engine.submit(newJob);
        } catch (RuntimeException e) {
            span.end(ErrorMapper.map(e, ctx).status(), null);
            throw e;
        }
        ctx.future(() -> committed.handle((result, error) -> {
            if (error != null) {
                ErrorMapper.answer(ctx, error);
                span.end(ctx.statusCode(), null);
            } else {
                answerSubmit(ctx, json, newJob.requestHash(), result);
                span.end(ctx.statusCode(), result.job());
            }
            return null;
        }));
    }

    /**
     * A job of a task that reads a document names one of its own tenant: another tenant's is as
     * unknown as one that never was.
     */
    private void checkDocument(NewJob job) {
        if (!engine.tasks().handler(job.task()).map(TaskHandler::takesDocuments).orElse(false)) {
            return;
        }
        var id = job.input().object().get("document_id");
        if (id != null && id.isTextual() && engine.get(job.tenant(), id.asText()).isEmpty()) {
            throw ApiException.unprocessable("invalid input for task " + job.task() + ": no document with id '"
                    + JobRequests.truncate(id.asText()) + "'");
        }
    }

    /**
     * The answer to a committed submit: 202 for a new job; for a repeated Idempotency-Key, 200
     * with the original job when the request was the same, else 409.
     */
    static void answerSubmit(Context ctx, JobJson json, String requestHash, InsertResult result) {
        var job = result.job();
        ctx.header("Location", "/v1/jobs/" + job.id());
        if (result.created()) {
            ctx.status(202).contentType(RequestBodies.JSON).result(json.accepted(job.id()));
        } else if (requestHash != null && requestHash.equals(job.requestHash())) {
            ctx.status(200).contentType(RequestBodies.JSON).result(json.job(job));
        } else {
            Problems.write(ctx, new ApiException(409, "the Idempotency-Key was already used for job " + job.id()
                    + " with a different request; use a new key for a new request"));
        }
    }

    private void get(Context ctx) {
        var id = ctx.pathParam("id");
        var wait = waitParam(ctx.queryParam("wait"));
        boolean withInput = "input".equals(ctx.queryParam("include"));
        if (!JobIds.looksLikeId(id)) {
            throw ApiException.notFound();
        }
        var tenant = Callers.of(ctx).readTenant();
        if (wait.isZero()) {
            var job = engine.get(tenant, id).orElseThrow(ApiException::notFound);
            ctx.contentType(RequestBodies.JSON).result(withInput ? json.jobWithInput(job) : json.job(job));
            return;
        }
        var waiting = engine.awaitTerminal(tenant, id, wait);
        ctx.future(() -> waiting.handle((job, error) -> {
            if (error != null) {
                ErrorMapper.answer(ctx, error);
            } else if (job.isEmpty()) {
                Problems.write(ctx, ApiException.notFound());
            } else {
                ctx.contentType(RequestBodies.JSON).result(withInput ? json.jobWithInput(job.get()) : json.job(job.get()));
            }
            return null;
        }));
    }

    private void cancel(Context ctx) {
        RequestBodies.checkJsonContentType(ctx); // a form or text body is no request of a client of this API
        var id = ctx.pathParam("id");
        if (!JobIds.looksLikeId(id)) {
            throw ApiException.notFound();
        }
        var caller = Callers.of(ctx);
        var job = engine.cancel(caller.readTenant(), id).orElseThrow(ApiException::notFound);
        Callers.auditAdmin(ctx, audit, "cancel", job);
        if (job.state() != JobState.CANCELLED) {
            throw new ApiException(409, "job " + id + " is " + job.state().wireName()
                    + " and can no longer be cancelled; only pending jobs can");
        }
        ctx.contentType(RequestBodies.JSON).result(json.job(job));
    }

    /**
     * A terminal job that did not complete is submitted again as a new job with the same task,
     * input, priority, attempts and metadata (a terminal job never moves again); the answer is
     * the new job's 202. An {@code Idempotency-Key} makes the retry safe to repeat: the same key
     * for the same job answers with the job the first retry made.
     */
    private void retry(Context ctx) {
        RequestBodies.checkJsonContentType(ctx);
        var id = ctx.pathParam("id");
        if (!JobIds.looksLikeId(id)) {
            throw ApiException.notFound();
        }
        var job = engine.get(Callers.of(ctx).readTenant(), id).orElseThrow(ApiException::notFound);
        switch (job.state()) {
            case FAILED, CANCELLED, EXPIRED -> { }
            case PENDING, PROCESSING, COMPLETED -> throw new ApiException(409, "job " + id + " is "
                    + job.state().wireName() + "; only failed, cancelled or expired jobs can be retried");
        }
        var key = ctx.header("Idempotency-Key");
        if (key != null) {
            JobRequests.checkIdempotencyKey(key);
        }
        var requestHash = key == null ? null : JobRequests.hash("retry " + job.id());
        var copy = new NewJob(jobIds.next(), job.tenant(), job.task(), job.input(), job.priority(), job.maxAttempts(),
                null, job.metadata(), key, requestHash, job.traceparent());
        var committed = engine.submit(copy);
        Callers.auditAdmin(ctx, audit, "retry", job);
        ctx.future(() -> committed.handle((result, error) -> {
            if (error != null) {
                ErrorMapper.answer(ctx, error);
            } else {
                answerSubmit(ctx, json, requestHash, result);
            }
            return null;
        }));
    }

    private void list(Context ctx) {
        JobState state = null;
        var status = ctx.queryParam("status");
        if (status != null && !status.isEmpty()) {
            try {
                state = JobState.fromWire(status);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest(JobRequests.truncate(e.getMessage()));
            }
        }
        var task = ctx.queryParam("task");
        if (task != null && (task.isEmpty() || task.length() > 64)) {
            throw ApiException.badRequest("'task' must be 1 to 64 characters");
        }
        int limit = 50;
        var limitText = ctx.queryParam("limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) {
                throw ApiException.badRequest("'limit' must be a whole number from 1 to 1000");
            }
        }
        var cursor = ctx.queryParam("cursor");
        String after = cursor == null || cursor.isEmpty() ? null : Cursors.decode(cursor);
        var page = engine.list(new ListParams(Callers.listTenant(ctx), state, task, limit, after));
        ctx.contentType(RequestBodies.JSON).result(json.page(page.jobs(),
                page.nextAfterId() == null ? null : Cursors.encode(page.nextAfterId())));
    }

    private Duration waitParam(String text) {
        if (text == null || text.isEmpty()) {
            return Duration.ZERO;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        double max = maxWait.toMillis() / 1000.0;
        if (Double.isNaN(seconds) || seconds < 0 || seconds > max) {
            throw ApiException.badRequest("'wait' must be a number of seconds from 0 to " + (long) max);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
