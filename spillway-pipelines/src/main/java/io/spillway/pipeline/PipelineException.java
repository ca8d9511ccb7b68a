package io.spillway.pipeline;

/** A pipelines file that cannot be used; the message names the file, the pipeline and the problem. */
public final class PipelineException extends RuntimeException {
    public PipelineException(String message) {
        super(message);
    }
}
