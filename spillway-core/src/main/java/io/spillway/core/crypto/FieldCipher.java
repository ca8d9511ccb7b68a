package io.spillway.core.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of one stored value: a fresh 256-bit data key per value encrypts it with
 * AES-256-GCM, the value's context (tenant, job id and field) as associated data, so a value
 * copied to another row, tenant or field does not decrypt; the active master key wraps that data
 * key with AES Key Wrap (RFC 3394: deterministic, so no nonce under the long-lived master key can
 * ever repeat, and its integrity check refuses a wrong key). A token reads {@code spwenc1:} and the
 * base64 of: version, the master key's id, the wrapped key, the data nonce and the ciphertext with
 * its tag. Rotation re-wraps the data key alone ({@link #rewrap}); the ciphertext stays.
 */
public final class FieldCipher {
    public static final String PREFIX = "spwenc1:";
    private static final int VERSION = 1;
    static final int NONCE = 12;
    static final int TAG_BITS = 128;
    static final int KEY = 32;
    /** A wrapped data key: the key and the wrap's 8-byte integrity block. */
    static final int WRAPPED = KEY + 8;
    /** A DRBG per thread: one shared generator is one lock that every request thread would queue on. */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(FieldCipher::drbg);

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
        byte[] fresh = random(KEY + NONCE); // one draw: the data key and its nonce
        byte[] dek = Arrays.copyOfRange(fresh, 0, KEY);
        byte[] nonce = Arrays.copyOfRange(fresh, KEY, KEY + NONCE);
        byte[] ct = seal(new SecretKeySpec(dek, "AES"), nonce, plaintext.getBytes(StandardCharsets.UTF_8), aad);
        return token(dek, nonce, ct);
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
        var dek = unwrap(t, context);
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
        return token(unwrap(t, context), t.nonce, t.ciphertext);
    }

    /** A token of a value sealed under {@code dek}, the data key wrapped by the active master key. */
    private String token(byte[] dek, byte[] nonce, byte[] ciphertext) {
        byte[] kid = keys.activeId().getBytes(StandardCharsets.US_ASCII);
        byte[] wrapped = wrap(keys.active(), dek);
        var out = ByteBuffer.allocate(2 + kid.length + WRAPPED + NONCE + ciphertext.length);
        out.put((byte) VERSION).put((byte) kid.length).put(kid).put(wrapped).put(nonce).put(ciphertext);
        return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(out.array());
    }

    /** The id of the master key that wrapped a token's data key, or null for a value that is no token. */
    public static String keyIdOf(String value) {
        return isToken(value) ? Token.parse(value).keyId : null;
    }

    private byte[] unwrap(Token t, String context) {
        if (keys == null) {
            throw new DecryptionException("a value of " + context + " is encrypted (master key " + t.keyId
                    + "), and no master key is configured (encryption_keys_file or SPILLWAY_ENCRYPTION_KEYS)");
        }
        var master = keys.get(t.keyId).orElseThrow(() -> new DecryptionException(
                "a value of " + context + " was encrypted under master key " + t.keyId + ", which is not configured"));
        return unwrap(master, t.wrapped, context);
    }

    private record Token(String keyId, byte[] wrapped, byte[] nonce, byte[] ciphertext) {
        static Token parse(String value) {
            try {
                var b = ByteBuffer.wrap(Base64.getDecoder().decode(value.substring(PREFIX.length())));
                if (b.get() != VERSION) {
                    throw new DecryptionException("a stored value has an unknown encryption version");
                }
                int kidLength = b.get() & 0xff;
                if (kidLength < 1 || kidLength > 32) {
                    throw new DecryptionException("a stored value is not a valid encrypted value (tampered with?)");
                }
                var kid = new byte[kidLength];
                b.get(kid);
                var wrapped = new byte[WRAPPED];
                b.get(wrapped);
                var nonce = new byte[NONCE];
                b.get(nonce);
                var ct = new byte[b.remaining()];
                b.get(ct);
                if (ct.length < TAG_BITS / 8) {
                    throw new DecryptionException("a stored value is cut short");
                }
                return new Token(new String(kid, StandardCharsets.US_ASCII), wrapped, nonce, ct);
            } catch (DecryptionException e) {
                throw e;
            } catch (RuntimeException e) { // not base64, too short: not a value this cipher wrote
                throw new DecryptionException("a stored value is not a valid encrypted value (tampered with?)");
            }
        }
    }

    /** A cipher of AES Key Wrap per thread. */
    private static final ThreadLocal<Cipher> KW = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/KW/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES Key Wrap is part of every Java from 17 on", e);
        }
    });

    static byte[] wrap(SecretKey master, byte[] dek) {
        try {
            var c = KW.get();
            c.init(Cipher.ENCRYPT_MODE, master);
            return c.doFinal(dek);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES Key Wrap is part of every Java from 17 on", e);
        }
    }

    static byte[] unwrap(SecretKey master, byte[] wrapped, String context) {
        try {
            var c = KW.get();
            c.init(Cipher.DECRYPT_MODE, master);
            return c.doFinal(wrapped);
        } catch (GeneralSecurityException e) {
            throw new DecryptionException("a stored value of " + context + " does not decrypt: its data key does not unwrap "
                    + "under the configured master key of its id (a wrong key, or tampered with)");
        }
    }

    /** The JDK's DRBG (NIST SP 800-90A), seeded by the system: no system call per value. */
    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    static byte[] random(int n) {
        var b = new byte[n];
        RANDOM.get().nextBytes(b);
        return b;
    }

    /** A cipher per thread: looking one up costs about as much as sealing a small value. */
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java", e);
        }
    });

    static byte[] seal(SecretKey key, byte[] nonce, byte[] plaintext, byte[] aad) {
        try {
            var c = GCM.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java", e);
        }
    }

    static byte[] open(SecretKey key, byte[] nonce, byte[] ciphertext, byte[] aad, String context) {
        try {
            var c = GCM.get();
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
