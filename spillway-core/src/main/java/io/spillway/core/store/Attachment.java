package io.spillway.core.store;

import java.util.Objects;

/**
 * Bytes kept with a job in the store: an uploaded document, a pipeline step's checkpoint. A job's
 * attachments are deleted with the job (retention); attachments whose job was never created (an
 * upload refused after it was written, a process that died between the two) are swept after a
 * grace period.
 *
 * @param jobId    the job it belongs to (a document is written just before its job, under the
 *                 job's id)
 * @param name     unique within the job, e.g. {@code document} or {@code step/extract}
 * @param filename what the client called it, or null
 * @param bytes    its size
 */
public record Attachment(String jobId, String name, String filename, long bytes) {
    /** Attachments are written and read in chunks of this size, so no process holds one whole. */
    public static final int CHUNK_BYTES = 256 * 1024;

    public Attachment {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(name, "name");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0");
        }
    }
}
