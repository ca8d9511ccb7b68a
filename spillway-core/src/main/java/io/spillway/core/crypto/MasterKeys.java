package io.spillway.core.crypto;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys that wrap data keys: each with an id, the first one active (it wraps every new
 * data key); the others only unwrap what they wrapped before. Read from text of one key per line,
 * {@code <id> <32 bytes in base64>} (blank lines and {@code #} comments ignored), as a key file or
 * an environment variable holds it.
 */
public final class MasterKeys {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private final String activeId;
    private final Map<String, SecretKey> keys;

    private MasterKeys(String activeId, Map<String, SecretKey> keys) {
        this.activeId = activeId;
        this.keys = Map.copyOf(keys);
    }

    /**
     * Parses key text.
     *
     * @throws IllegalArgumentException saying which line is wrong (never echoing a key)
     */
    public static MasterKeys parse(String text) {
        var keys = new LinkedHashMap<String, SecretKey>();
        int n = 0;
        for (var raw : text.split("[\\r\\n,;]+")) {
            n++;
            var line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            var parts = line.split("[\\s:=]+", 2);
            if (parts.length != 2 || !ID.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException("key " + n + ": expected '<id> <base64 of 32 bytes>', the id 1 to 32 of "
                        + "A-Z a-z 0-9 _ -");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(parts[1].strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key " + parts[0] + " is not base64");
            }
            if (bytes.length != 32) {
                throw new IllegalArgumentException("key " + parts[0] + " has " + bytes.length
                        + " bytes; AES-256 needs 32 (openssl rand -base64 32)");
            }
            if (keys.put(parts[0], new SecretKeySpec(bytes, "AES")) != null) {
                throw new IllegalArgumentException("key id " + parts[0] + " is given twice");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no key: expected lines '<id> <base64 of 32 bytes>', the first one active");
        }
        return new MasterKeys(keys.keySet().iterator().next(), keys);
    }

    /** The id of the key that wraps new data keys. */
    public String activeId() {
        return activeId;
    }

    SecretKey active() {
        return keys.get(activeId);
    }

    Optional<SecretKey> get(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** How many keys: more than one while a rotation is under way. */
    public int size() {
        return keys.size();
    }

    /** Whether this key id is known. */
    public boolean has(String id) {
        return keys.containsKey(id);
    }

    @Override
    public String toString() {
        return "MasterKeys[active=" + activeId + ", ids=" + keys.keySet() + "]";
    }
}
