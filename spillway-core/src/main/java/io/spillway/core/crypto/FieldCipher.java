package io.spillway.core.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of one stored value: a fresh 256-bit data key per value encrypts it with
 * AES-256-GCM, and the active master key wraps that data key (AES-256-GCM too). The value's
 * context (tenant, job id and field) is the associated data of both, so a value copied to another
 * row, tenant or field does not decrypt. A token reads {@code spwenc1:} and the base64 of: version,
 * the master key's id, the wrapping nonce and wrapped key, the data nonce and the ciphertext with
 * its tag. Rotation re-wraps the data key alone ({@link #rewrap}); the ciphertext stays.
 */
public final class FieldCipher {
    public static final String PREFIX = "spwenc1:";
    private static final int VERSION = 1;
    static final int NONCE = 12;
    static final int TAG_BITS = 128;
    static final int KEY = 32;
    static final int WRAPPED = KEY + TAG_BITS / 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MasterKeys keys;

    /** @param keys the master keys, or null to refuse every encrypted value (nothing is encrypted then) */
    public FieldCipher(MasterKeys keys) {
        this.keys = keys;
    }

    public MasterKeys keys() {
        return keys;
    }

    /** Whether a stored value is a token of this cipher (values written before encryption was on are not). */
    public static boolean isToken(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** The token of {@code plaintext} in {@code context}; null stays null. */
    public String encrypt(String plaintext, String context) {
        if (plaintext == null) {
            return null;
        }
        byte[] aad = context.getBytes(StandardCharsets.UTF_8);
        byte[] dek = random(KEY);
        byte[] kid = keys.activeId().getBytes(StandardCharsets.US_ASCII);
        byte[] wrapNonce = random(NONCE);
        byte[] wrapped = seal(keys.active(), wrapNonce, dek, aad);
        byte[] nonce = random(NONCE);
        byte[] ct = seal(new SecretKeySpec(dek, "AES"), nonce, plaintext.getBytes(StandardCharsets.UTF_8), aad);
        var out = ByteBuffer.allocate(2 + kid.length + NONCE + WRAPPED + NONCE + ct.length);
        out.put((byte) VERSION).put((byte) kid.length).put(kid).put(wrapNonce).put(wrapped).put(nonce).put(ct);
        return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(out.array());
    }

    /**
     * The plaintext of a token in {@code context}; a value that is no token (written before
     * encryption was on) is returned as it is; null stays null.
     *
     * @throws DecryptionException when the token was tampered with, belongs to another context, or
     *                             its master key is not configured
     */
    public String decrypt(String value, String context) {
        if (!isToken(value)) {
            return value;
        }
        var t = Token.parse(value);
        byte[] aad = context.getBytes(StandardCharsets.UTF_8);
        var dek = unwrap(t, aad, context);
        return new String(open(new SecretKeySpec(dek, "AES"), t.nonce, t.ciphertext, aad, context), StandardCharsets.UTF_8);
    }

    /**
     * The token with its data key wrapped by the active master key, or the same token when it
     * already is (or the value is no token).
     */
    public String rewrap(String value, String context) {
        if (!isToken(value)) {
            return value;
        }
        var t = Token.parse(value);
        if (t.keyId.equals(keys.activeId())) {
            return value;
        }
        byte[] aad = context.getBytes(StandardCharsets.UTF_8);
        byte[] dek = unwrap(t, aad, context);
        byte[] kid = keys.activeId().getBytes(StandardCharsets.US_ASCII);
        byte[] wrapNonce = random(NONCE);
        byte[] wrapped = seal(keys.active(), wrapNonce, dek, aad);
        var out = ByteBuffer.allocate(2 + kid.length + NONCE + WRAPPED + NONCE + t.ciphertext.length);
        out.put((byte) VERSION).put((byte) kid.length).put(kid).put(wrapNonce).put(wrapped).put(t.nonce).put(t.ciphertext);
        return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(out.array());
    }

    /** The id of the master key that wrapped a token's data key, or null for a value that is no token. */
    public static String keyIdOf(String value) {
        return isToken(value) ? Token.parse(value).keyId : null;
    }

    private byte[] unwrap(Token t, byte[] aad, String context) {
        if (keys == null) {
            throw new DecryptionException("a value of " + context + " is encrypted (master key " + t.keyId
                    + "), and no master key is configured (encryption_keys_file or SPILLWAY_ENCRYPTION_KEYS)");
        }
        var master = keys.get(t.keyId).orElseThrow(() -> new DecryptionException(
                "a value of " + context + " was encrypted under master key " + t.keyId + ", which is not configured"));
        return open(master, t.wrapNonce, t.wrapped, aad, context);
    }

    private record Token(String keyId, byte[] wrapNonce, byte[] wrapped, byte[] nonce, byte[] ciphertext) {
        static Token parse(String value) {
            try {
                var b = ByteBuffer.wrap(Base64.getDecoder().decode(value.substring(PREFIX.length())));
                if (b.get() != VERSION) {
                    throw new DecryptionException("a stored value has an unknown encryption version");
                }
                var kid = new byte[b.get()];
                b.get(kid);
                var wrapNonce = new byte[NONCE];
                b.get(wrapNonce);
                var wrapped = new byte[WRAPPED];
                b.get(wrapped);
                var nonce = new byte[NONCE];
                b.get(nonce);
                var ct = new byte[b.remaining()];
                b.get(ct);
                if (ct.length < TAG_BITS / 8) {
                    throw new DecryptionException("a stored value is cut short");
                }
                return new Token(new String(kid, StandardCharsets.US_ASCII), wrapNonce, wrapped, nonce, ct);
            } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
                throw new DecryptionException("a stored value is not a valid encrypted value (tampered with?)");
            }
        }
    }

    static byte[] random(int n) {
        var b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] seal(SecretKey key, byte[] nonce, byte[] plaintext, byte[] aad) {
        try {
            var c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java", e);
        }
    }

    static byte[] open(SecretKey key, byte[] nonce, byte[] ciphertext, byte[] aad, String context) {
        try {
            var c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new DecryptionException("a stored value of " + context + " does not decrypt: it was tampered with, or "
                    + "belongs to another job, tenant or field");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java", e);
        }
    }
}
