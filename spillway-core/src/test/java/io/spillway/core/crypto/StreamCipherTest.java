package io.spillway.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamCipherTest {
    private final StreamCipher cipher = new StreamCipher(MasterKeys.parse(FieldCipherTest.K1));
    private final SplittableRandom random = new SplittableRandom(7);

    private byte[] bytes(int n) {
        var b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] seal(byte[] plain, String context) throws IOException {
        try (InputStream in = cipher.encrypting(new ByteArrayInputStream(plain), context)) {
            return in.readAllBytes();
        }
    }

    private byte[] open(byte[] stored, String context) throws IOException {
        try (InputStream in = cipher.decrypting(new ByteArrayInputStream(stored), context)) {
            return in.readAllBytes();
        }
    }

    @Test
    void everySize_roundTrips_andItsPlaintextSizeIsKnownFromTheStoredSize() throws IOException {
        int f = StreamCipher.FRAME;
        for (int n : new int[] {0, 1, 100, f - 1, f, f + 1, 3 * f, 3 * f + 17}) {
            var plain = bytes(n);
            var stored = seal(plain, "a/j/file");
            assertThat(open(stored, "a/j/file")).as("size " + n).isEqualTo(plain);
            assertThat(StreamCipher.plaintextSize(stored.length)).as("size " + n).isEqualTo(n);
        }
    }

    @Test
    void tamperingCuttingOffReorderingOrAnotherContext_failTheRead() throws IOException {
        int f = StreamCipher.FRAME;
        var plain = bytes(3 * f);
        var stored = seal(plain, "a/j/file");

        var flipped = stored.clone();
        flipped[StreamCipher.HEADER + f + 40] ^= 1;
        assertThatThrownBy(() -> open(flipped, "a/j/file")).isInstanceOf(DecryptionException.class);
        var cut = Arrays.copyOf(stored, StreamCipher.HEADER + 2 * (f + 16)); // two whole frames of three
        assertThatThrownBy(() -> open(cut, "a/j/file")).isInstanceOf(DecryptionException.class);
        var swapped = stored.clone();
        System.arraycopy(stored, StreamCipher.HEADER, swapped, StreamCipher.HEADER + f + 16, f + 16);
        System.arraycopy(stored, StreamCipher.HEADER + f + 16, swapped, StreamCipher.HEADER, f + 16);
        assertThatThrownBy(() -> open(swapped, "a/j/file")).isInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> open(stored, "a/other-job/file")).isInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> open(Arrays.copyOf(stored, 10), "a/j/file")).isInstanceOf(DecryptionException.class);
    }
}
