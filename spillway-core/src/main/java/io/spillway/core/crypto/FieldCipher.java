package io.spillway.core.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ConcurrentLinkedDeque;
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

    /**
     * What one thread needs at a time to seal and open values: a DRBG and the ciphers, with the key
     * wrap cipher kept initialized for the last master key it used (initializing it expands the key).
     */
    private static final class Kit {
        final SecureRandom random = drbg();
        /** Random bytes drawn ahead, {@link #RANDOM_AHEAD} at a time: one draw costs about as much as a seal. */
        final byte[] ahead = new byte[RANDOM_AHEAD];
        int used = RANDOM_AHEAD;

        void nextBytes(byte[] b) {
            if (b.length > RANDOM_AHEAD / 4) {
                random.nextBytes(b);
                return;
            }
            if (used + b.length > RANDOM_AHEAD) {
                random.nextBytes(ahead);
                used = 0;
            }
            System.arraycopy(ahead, used, b, 0, b.length);
            Arrays.fill(ahead, used, used + b.length, (byte) 0); // handed out once, kept nowhere
            used += b.length;
        }
        final Cipher gcm = cipher("AES/GCM/NoPadding");
        final Cipher kw = cipher("AES/KW/NoPadding");
        SecretKey kwKey;
        int kwMode;

        Cipher kw(int mode, SecretKey master) throws GeneralSecurityException {
            if (kwKey != master || kwMode != mode) {
                kwKey = null; // stays unset if init throws
                kw.init(mode, master);
                kwKey = master;
                kwMode = mode;
            }
            return kw;
        }

        /** Back to the pool; after a failure of any kind the key-wrap cipher is initialized again on its next use. */
        void done(boolean ok) {
            if (!ok) {
                kwKey = null;
            }
            give(this);
        }

        private static Cipher cipher(String transformation) {
            try {
                return Cipher.getInstance(transformation);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(transformation + " is part of every Java from 17 on", e);
            }
        }
    }

    /**
     * Kits in use last first: a request thread takes the one used most recently and gives it back,
     * so a few kits serve every thread (as many as seal at once) and stay in the processor's cache;
     * a kit per thread would be one per request thread (hundreds), each cold when its thread comes
     * round again. One shared kit would be one lock that every thread queues on.
     */
    private static final ConcurrentLinkedDeque<Kit> KITS = new ConcurrentLinkedDeque<>();
    /** How many random bytes a kit draws from its DRBG at once (the keys and nonces of about 90 values). */
    private static final int RANDOM_AHEAD = 4096;

    private static Kit take() {
        var kit = KITS.pollFirst();
        return kit != null ? kit : new Kit();
    }

    private static void give(Kit kit) {
        KITS.offerFirst(kit);
    }

    static byte[] wrap(SecretKey master, byte[] dek) {
        var kit = take();
        boolean ok = false;
        try {
            var wrapped = kit.kw(Cipher.ENCRYPT_MODE, master).doFinal(dek);
            ok = true;
            return wrapped;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES Key Wrap is part of every Java from 17 on", e);
        } finally {
            kit.done(ok);
        }
    }

    static byte[] unwrap(SecretKey master, byte[] wrapped, String context) {
        var kit = take();
        boolean ok = false;
        try {
            var dek = kit.kw(Cipher.DECRYPT_MODE, master).doFinal(wrapped);
            ok = true;
            return dek;
        } catch (GeneralSecurityException e) {
            throw new DecryptionException("a stored value of " + context + " does not decrypt: its data key does not unwrap "
                    + "under the configured master key of its id (a wrong key, or tampered with)");
        } finally {
            kit.done(ok);
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
        var kit = take();
        try {
            kit.nextBytes(b);
        } finally {
            give(kit);
        }
        return b;
    }

    static byte[] seal(SecretKey key, byte[] nonce, byte[] plaintext, byte[] aad) {
        var kit = take();
        try {
            kit.gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            kit.gcm.updateAAD(aad);
            return kit.gcm.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java", e);
        } finally {
            give(kit);
        }
    }

    static byte[] open(SecretKey key, byte[] nonce, byte[] ciphertext, byte[] aad, String context) {
        var kit = take();
        try {
            kit.gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            kit.gcm.updateAAD(aad);
            return kit.gcm.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new DecryptionException("a stored value of " + context + " does not decrypt: it was tampered with, or "
                    + "belongs to another job, tenant or field");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java", e);
        } finally {
            give(kit);
        }
    }
}
