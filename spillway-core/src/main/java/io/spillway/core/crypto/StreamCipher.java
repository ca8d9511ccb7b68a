package io.spillway.core.crypto;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of a byte stream (an attachment) in frames, so neither side holds it whole:
 * a header of fixed size (magic, the master key's id, the wrapped data key and a nonce prefix), then frames of
 * {@link #FRAME} plaintext bytes, each sealed with AES-256-GCM under a nonce of the prefix, the
 * frame's number and a last-frame flag, and the context as associated data. Frames cannot be
 * reordered, dropped or cut off unseen: a stream whose last frame is not flagged as last fails.
 */
public final class StreamCipher {
    static final int FRAME = 64 * 1024;
    private static final int TAG = FieldCipher.TAG_BITS / 8;
    private static final int PREFIX = 7;
    private static final byte[] MAGIC = {'S', 'P', 'W', 'S', 1};

    private final MasterKeys keys;

    public StreamCipher(MasterKeys keys) {
        this.keys = keys;
    }

    /** The size of the plaintext of a stored stream of {@code stored} bytes. */
    static long plaintextSize(long stored) {
        long body = stored - HEADER;
        if (body < TAG) {
            return 0;
        }
        long frames = Math.max(1, (body + FRAME + TAG - 1) / (FRAME + TAG));
        return body - frames * TAG;
    }

    /** Magic, the key id's length and the id padded to 32 bytes (so the header's size is fixed), the wrapped key, the nonce prefix. */
    private static final int KEY_ID = 32;
    static final int HEADER = MAGIC.length + 1 + KEY_ID + FieldCipher.WRAPPED + PREFIX;

    /**
     * The header of a stored stream with its data key wrapped by the active master key (same size:
     * the frames stay as they are); null when it is wrapped by the active key already, or the bytes
     * are no header of this cipher (an attachment kept in clear).
     *
     * @throws DecryptionException when its data key does not unwrap (tampered with, or under a key not configured)
     */
    byte[] rewrapHeader(byte[] head, String context) {
        if (head.length < HEADER || !Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return null;
        }
        var b = ByteBuffer.wrap(head);
        b.position(MAGIC.length);
        int kidLength = b.get();
        if (kidLength < 1 || kidLength > KEY_ID) {
            throw new DecryptionException("attachment " + context + " has a damaged header");
        }
        var keyId = new String(head, MAGIC.length + 1, kidLength, StandardCharsets.US_ASCII);
        if (keyId.equals(keys.activeId())) {
            return null;
        }
        byte[] wrapped = Arrays.copyOfRange(head, MAGIC.length + 1 + KEY_ID, MAGIC.length + 1 + KEY_ID + FieldCipher.WRAPPED);
        var master = keys.get(keyId).orElseThrow(() -> new DecryptionException(
                "attachment " + context + " was encrypted under master key " + keyId + ", which is not configured"));
        byte[] dek = FieldCipher.unwrap(master, wrapped, context);
        byte[] kid = keys.activeId().getBytes(StandardCharsets.US_ASCII);
        var out = ByteBuffer.allocate(HEADER);
        out.put(MAGIC).put((byte) kid.length).put(Arrays.copyOf(kid, KEY_ID)).put(FieldCipher.wrap(keys.active(), dek))
                .put(head, HEADER - PREFIX, PREFIX);
        return out.array();
    }

    /** The stored form of {@code plaintext}, read as it is consumed. */
    public InputStream encrypting(InputStream plaintext, String context) {
        byte[] aad = context.getBytes(StandardCharsets.UTF_8);
        byte[] dek = FieldCipher.random(FieldCipher.KEY);
        byte[] kid = keys.activeId().getBytes(StandardCharsets.US_ASCII);
        byte[] wrapped = FieldCipher.wrap(keys.active(), dek);
        byte[] prefix = FieldCipher.random(PREFIX);
        var header = ByteBuffer.allocate(HEADER);
        header.put(MAGIC).put((byte) kid.length).put(Arrays.copyOf(kid, KEY_ID)).put(wrapped).put(prefix);
        return new Frames(header.array()) {
            private final SecretKeySpec key = new SecretKeySpec(dek, "AES");
            private byte[] next;
            private boolean started;

            @Override
            byte[] nextFrame() throws IOException {
                if (!started) {
                    started = true;
                    next = readFully(plaintext, FRAME);
                }
                if (next == null) {
                    return null;
                }
                byte[] current = next;
                next = current.length < FRAME ? null : readFully(plaintext, FRAME);
                boolean last = next == null || next.length == 0;
                if (last) {
                    next = null;
                }
                return FieldCipher.seal(key, nonce(prefix, index++, last), current, aad);
            }
        };
    }

    /**
     * The plaintext of a stored stream, read as it is consumed.
     *
     * @throws DecryptionException (from its reads) when a frame was tampered with, the stream was
     *                             cut off or belongs to another context
     */
    public InputStream decrypting(InputStream stored, String context) throws IOException {
        byte[] aad = context.getBytes(StandardCharsets.UTF_8);
        byte[] magic = readFully(stored, MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            // written before encryption was on: as it was stored
            return new SequenceInputStream(new ByteArrayInputStream(magic), stored);
        }
        byte[] kidLength = readFully(stored, 1);
        byte[] kidPadded = readFully(stored, KEY_ID);
        if (kidLength.length != 1 || kidLength[0] < 1 || kidLength[0] > KEY_ID || kidPadded.length != KEY_ID) {
            throw new DecryptionException("attachment " + context + " has a damaged header");
        }
        byte[] kid = Arrays.copyOf(kidPadded, kidLength[0]);
        byte[] wrapped = readFully(stored, FieldCipher.WRAPPED);
        byte[] prefix = readFully(stored, PREFIX);
        if (prefix.length != PREFIX) {
            throw new DecryptionException("attachment " + context + " is cut short");
        }
        var keyId = new String(kid, StandardCharsets.US_ASCII);
        var master = keys.get(keyId).orElseThrow(() -> new DecryptionException(
                "attachment " + context + " was encrypted under master key " + keyId + ", which is not configured"));
        var key = new SecretKeySpec(FieldCipher.unwrap(master, wrapped, context), "AES");
        return new Frames(new byte[0]) {
            private byte[] next = readFully(stored, FRAME + TAG);
            private boolean done;

            @Override
            byte[] nextFrame() throws IOException {
                if (done) {
                    return null;
                }
                byte[] current = next;
                next = current.length < FRAME + TAG ? new byte[0] : readFully(stored, FRAME + TAG);
                boolean last = next.length == 0;
                done = last;
                if (current.length < TAG) {
                    throw new DecryptionException("attachment " + context + " is cut short");
                }
                return FieldCipher.open(key, nonce(prefix, index++, last), current, aad, context);
            }
        };
    }

    /**
     * An attachment as stored, for a process without master keys: in clear as it is, and refused
     * (a {@link DecryptionException} on the first read) when it is encrypted.
     */
    static InputStream refusingSealed(InputStream stored, String context) {
        var pushback = new PushbackInputStream(stored, MAGIC.length);
        return new FilterInputStream(pushback) {
            private boolean checked;

            private void check() throws IOException {
                if (!checked) {
                    checked = true;
                    byte[] head = pushback.readNBytes(MAGIC.length);
                    pushback.unread(head);
                    if (Arrays.equals(head, MAGIC)) {
                        throw new DecryptionException("attachment " + context.replace('\0', '/')
                                + " is encrypted, and no master key is configured");
                    }
                }
            }

            @Override
            public int read() throws IOException {
                check();
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                check();
                return super.read(b, off, len);
            }
        };
    }

    private static byte[] nonce(byte[] prefix, int index, boolean last) {
        return ByteBuffer.allocate(FieldCipher.NONCE).put(prefix).putInt(index).put((byte) (last ? 1 : 0)).array();
    }

    /** Up to {@code n} bytes: fewer only at the end of the stream. */
    private static byte[] readFully(InputStream in, int n) throws IOException {
        return in.readNBytes(n);
    }

    /** A stream made of a header and then frames, each produced when the one before is used up. */
    private abstract static class Frames extends InputStream {
        int index;
        private byte[] buffer;
        private int at;

        Frames(byte[] header) {
            this.buffer = header;
        }

        /** The next frame's bytes, or null after the last. */
        abstract byte[] nextFrame() throws IOException;

        private boolean fill() throws IOException {
            while (buffer != null && at == buffer.length) {
                buffer = nextFrame();
                at = 0;
            }
            return buffer != null;
        }

        @Override
        public int read() throws IOException {
            return fill() ? buffer[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, buffer.length - at);
            System.arraycopy(buffer, at, b, off, n);
            at += n;
            return n;
        }
    }
}
