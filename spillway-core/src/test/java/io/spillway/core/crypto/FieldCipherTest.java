package io.spillway.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class FieldCipherTest {
    static final String K1 = "k1 " + Base64.getEncoder().encodeToString(new byte[32]);
    static final String K2 = "k2 " + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
    private final FieldCipher cipher = new FieldCipher(MasterKeys.parse(K1));

    @Test
    void aValue_decryptsInItsContextOnly() {
        var token = cipher.encrypt("the secret", "acme/job-1/input");

        assertThat(token).startsWith(FieldCipher.PREFIX).doesNotContain("secret");
        assertThat(cipher.decrypt(token, "acme/job-1/input")).isEqualTo("the secret");
        for (var other : new String[] {"beta/job-1/input", "acme/job-2/input", "acme/job-1/result"}) {
            assertThatThrownBy(() -> cipher.decrypt(token, other)).as(other).isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("does not decrypt");
        }
        assertThat(cipher.encrypt("the secret", "acme/job-1/input")).as("a fresh data key and nonce each time").isNotEqualTo(token);
    }

    @Test
    void everyTamperedByte_isDetected() {
        var token = cipher.encrypt("{\"text\": \"hello\"}", "c");
        var raw = Base64.getDecoder().decode(token.substring(FieldCipher.PREFIX.length()));
        for (int i = 2 + 2; i < raw.length; i++) { // after the version and the key id
            var bad = raw.clone();
            bad[i] ^= 1;
            var tampered = FieldCipher.PREFIX + Base64.getEncoder().withoutPadding().encodeToString(bad);
            assertThatThrownBy(() -> cipher.decrypt(tampered, "c")).as("byte " + i).isInstanceOf(DecryptionException.class);
        }
        assertThatThrownBy(() -> cipher.decrypt(FieldCipher.PREFIX + "not base64!", "c")).isInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> cipher.decrypt(token.substring(0, 40), "c")).isInstanceOf(DecryptionException.class);
    }

    @Test
    void valuesFromBeforeEncryption_readAsTheyAre_andNullStaysNull() {
        assertThat(cipher.decrypt("{\"plain\": 1}", "c")).isEqualTo("{\"plain\": 1}");
        assertThat(cipher.encrypt(null, "c")).isNull();
        assertThat(cipher.decrypt(null, "c")).isNull();
    }

    @Test
    void rotation_rewrapsUnderTheActiveKey_andTheOldKeyCanThenGo() {
        var old = cipher.encrypt("kept", "c");
        var both = new FieldCipher(MasterKeys.parse(K2 + "\n" + K1));
        assertThat(both.decrypt(old, "c")).isEqualTo("kept");

        var rewrapped = both.rewrap(old, "c");

        assertThat(FieldCipher.keyIdOf(old)).isEqualTo("k1");
        assertThat(FieldCipher.keyIdOf(rewrapped)).isEqualTo("k2");
        assertThat(both.rewrap(rewrapped, "c")).isSameAs(rewrapped);
        var onlyNew = new FieldCipher(MasterKeys.parse(K2));
        assertThat(onlyNew.decrypt(rewrapped, "c")).isEqualTo("kept");
        assertThatThrownBy(() -> onlyNew.decrypt(old, "c")).isInstanceOf(DecryptionException.class)
                .hasMessageContaining("master key k1, which is not configured");
    }

    @Test
    void keyText_isCheckedWithoutEchoingAKey() {
        assertThat(MasterKeys.parse("# keys\n" + K2 + "\n\n" + K1).activeId()).isEqualTo("k2");
        assertThatThrownBy(() -> MasterKeys.parse("")).hasMessageContaining("no key");
        assertThatThrownBy(() -> MasterKeys.parse("k1 c2hvcnQ=")).hasMessageContaining("has 5 bytes; AES-256 needs 32");
        assertThatThrownBy(() -> MasterKeys.parse("k1 !!!")).hasMessage("key k1 is not base64");
        assertThatThrownBy(() -> MasterKeys.parse(K1 + "\n" + K1)).hasMessageContaining("given twice");
        assertThatThrownBy(() -> MasterKeys.parse("b@d AAAA")).hasMessageStartingWith("key 1: expected");
    }
}
