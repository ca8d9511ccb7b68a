package io.spillway.core;

/**
 * A job id together with the attempt that claimed it: the fencing token. A write that carries
 * a {@code JobRef} applies only while the job is still processing under that same attempt.
 */
public record JobRef(String id, int attempt) {
}
