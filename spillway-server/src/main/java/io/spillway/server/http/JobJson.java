package io.spillway.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.core.Job;
import io.spillway.core.JobState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * The wire form of jobs, written straight to bytes. Stored JSON (result, metadata) is copied in
 * raw: it was produced by this server's own serializer, so it needs no re-parsing.
 */
final class JobJson {
    static final String ACCEPTED_MESSAGE = "Job accepted and is processing.";
    /** The 202 message when this server stores jobs but runs none (workers: false on serve). */
    static final String ACCEPTED_PAUSED_MESSAGE = "Job accepted; processing is paused on this server (workers: false),"
            + " so it waits as pending until workers run.";

    private final JsonFactory factory;
    private final String acceptedMessage;

    /** @param processing false when no worker will run the jobs this server accepts */
    JobJson(JsonFactory factory, boolean processing) {
        this.factory = factory;
        this.acceptedMessage = processing ? ACCEPTED_MESSAGE : ACCEPTED_PAUSED_MESSAGE;
    }

    /** The 202 body of the reference design: job_id, status, message. */
    byte[] accepted(String id) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("job_id", id);
            g.writeStringField("status", "pending");
            g.writeStringField("message", acceptedMessage);
            g.writeEndObject();
        });
    }

    /** The 202 body of a document upload: the reference fields and the stored document's id. */
    byte[] acceptedDocument(String id, String documentId) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("job_id", id);
            g.writeStringField("status", "pending");
            g.writeStringField("message", acceptedMessage);
            g.writeStringField("document_id", documentId);
            g.writeEndObject();
        });
    }

    /** Any value as JSON, ending with a newline like every answer. */
    byte[] value(ObjectMapper mapper, Object value) {
        try {
            var out = new ByteArrayOutputStream(256);
            mapper.writeValue(out, value);
            out.write('\n');
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] job(Job job) {
        return write(g -> writeJob(g, job, false));
    }

    /** The job with its {@code input}, for a job's detail view. */
    byte[] jobWithInput(Job job) {
        return write(g -> writeJob(g, job, true));
    }

    byte[] page(List<Job> jobs, String nextCursor) {
        return write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("jobs");
            for (Job j : jobs) {
                writeJob(g, j, false);
            }
            g.writeEndArray();
            g.writeStringField("next_cursor", nextCursor);
            g.writeEndObject();
        });
    }

    private static void writeJob(JsonGenerator g, Job j, boolean withInput) throws IOException {
        g.writeStartObject();
        g.writeStringField("job_id", j.id());
        g.writeStringField("status", j.state().wireName());
        g.writeFieldName("result");
        if (j.result() == null) {
            g.writeNull();
        } else {
            g.writeRawValue(j.result());
        }
        g.writeStringField("task", j.task());
        g.writeStringField("tenant", j.tenant());
        g.writeStringField("priority", j.priority().wireName());
        g.writeNumberField("attempt", j.attempt());
        g.writeNumberField("max_attempts", j.maxAttempts());
        time(g, "created_at", j.createdAt());
        time(g, "started_at", j.startedAt());
        time(g, "finished_at", j.finishedAt());
        time(g, "deadline", j.deadline());
        if (j.state() == JobState.PENDING && j.attempt() > 0) {
            time(g, "retry_at", j.runAt());
        }
        g.writeStringField("error", j.error());
        g.writeFieldName("metadata");
        if (j.metadata() == null) {
            g.writeNull();
        } else {
            g.writeRawValue(j.metadata());
        }
        if (withInput) {
            g.writeFieldName("input");
            g.writeRawValue(j.input().json());
        }
        g.writeEndObject();
    }

    private static void time(JsonGenerator g, String field, Instant t) throws IOException {
        g.writeStringField(field, t == null ? null : t.toString());
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] write(Body body) {
        var out = new ByteArrayOutputStream(256);
        try (var g = factory.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n'); // so a terminal shows the prompt on its own line after curl
        return out.toByteArray();
    }
}
