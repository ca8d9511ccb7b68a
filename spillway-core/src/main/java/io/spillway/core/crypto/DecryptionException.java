package io.spillway.core.crypto;

/**
 * A stored value that does not decrypt: tampered with, copied from another job, tenant or field,
 * or wrapped by a master key this process does not have. Never returns garbage instead.
 */
public final class DecryptionException extends RuntimeException {
    DecryptionException(String message) {
        super(message, null, false, false);
    }
}
