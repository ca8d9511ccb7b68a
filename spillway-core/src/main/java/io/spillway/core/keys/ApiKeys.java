package io.spillway.core.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a key is made, recognised and checked. A key reads {@code spw_<id>_<secret>}: the prefix
 * makes it recognisable (to people, and to secret scanners), the id (12 characters) finds its
 * row, and the secret (32 base-62 characters, 190 bits from {@link SecureRandom}) is what proves
 * it. The store keeps a SHA-256 hash of the whole key: with that much entropy a fast hash is as
 * safe as a slow one (no key can be guessed from it), and it costs a microsecond per request.
 */
public final class ApiKeys {
    public static final String PREFIX = "spw_";
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String SECRET_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int ID_LENGTH = 12;
    private static final int SECRET_LENGTH = 32;
    private static final Pattern SHAPE = Pattern.compile("spw_([a-z2-7]{12})_([0-9A-Za-z]{32})");
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    /** A new key (id and secret), to be shown once and stored only as its {@link #hash}. */
    public static String generate() {
        return PREFIX + random(ID_ALPHABET, ID_LENGTH) + "_" + random(SECRET_ALPHABET, SECRET_LENGTH);
    }

    private static String random(String alphabet, int length) {
        var out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** The id of a well-formed key, or empty for anything else (it cannot be a key). */
    public static Optional<String> idOf(String key) {
        if (key == null || key.length() != PREFIX.length() + ID_LENGTH + 1 + SECRET_LENGTH) {
            return Optional.empty();
        }
        var m = SHAPE.matcher(key);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The SHA-256 hash of the key, in hex, as the store keeps it. */
    public static String hash(String key) {
        return HexFormat.of().formatHex(digest(key));
    }

    /** Whether {@code key} hashes to {@code storedHash}, compared in constant time. */
    public static boolean matches(String key, String storedHash) {
        byte[] expected;
        try {
            expected = HexFormat.of().parseHex(storedHash);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(digest(key), expected);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /**
     * Checks a tenant name: 1 to 64 characters of lower-case letters, digits, {@code .},
     * {@code _} and {@code -}, starting with a letter or digit.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static String checkTenant(String tenant) {
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("a tenant is 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting "
                    + "with a letter or digit" + (tenant == null ? "" : "; not '" + tenant + "'"));
        }
        return tenant;
    }
}
