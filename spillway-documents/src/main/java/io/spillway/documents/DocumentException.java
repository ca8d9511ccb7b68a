package io.spillway.documents;

/** A document that cannot be extracted, and why, in words for the client; retrying will not help. */
public final class DocumentException extends RuntimeException {
    public DocumentException(String message) {
        super(message);
    }

    public DocumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
