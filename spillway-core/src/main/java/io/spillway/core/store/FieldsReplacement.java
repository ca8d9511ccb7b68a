package io.spillway.core.store;

import java.util.Objects;

/**
 * New stored forms of a job's input, metadata, result and error (re-encrypted under another master
 * key), applied only while the job still holds exactly {@code before}: a job that changed meanwhile
 * (it completed, say) keeps what it has.
 */
public record FieldsReplacement(String id, Fields before, Fields after) {

    /** A job's four stored texts as the store holds them; input is never null. */
    public record Fields(String input, String metadata, String result, String error) {
        public Fields {
            Objects.requireNonNull(input, "input");
        }
    }

    public FieldsReplacement {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }
}
