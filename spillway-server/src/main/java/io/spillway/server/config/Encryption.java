package io.spillway.server.config;

import io.spillway.core.crypto.MasterKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Encryption at rest: the settings {@code encryption_keys_file} and {@code encryption_keys} (at
 * most one of them), each holding master keys as {@link MasterKeys} reads them. Off when neither
 * is set.
 *
 * @param keysFile a file of master keys, or null
 * @param keysText master keys given inline (an environment variable), or null
 */
public record Encryption(Path keysFile, String keysText) {
    private static final long MAX_FILE_BYTES = 64 * 1024;

    public boolean on() {
        return keysFile != null || keysText != null;
    }

    /**
     * The master keys, or null when encryption is off.
     *
     * @throws ConfigException when both settings are given, the file cannot be read or a key is bad
     */
    public MasterKeys masterKeys() {
        if (keysFile != null && keysText != null) {
            throw new ConfigException("give the master keys once: encryption_keys_file or encryption_keys, not both");
        }
        if (!on()) {
            return null;
        }
        String text;
        String source;
        if (keysFile != null) {
            source = "encryption_keys_file " + keysFile;
            try {
                if (Files.size(keysFile) > MAX_FILE_BYTES) {
                    throw new ConfigException(source + " is larger than 64 KiB: it is not a key file");
                }
                text = Files.readString(keysFile);
            } catch (IOException e) {
                throw new ConfigException("cannot read " + source + ": " + e.getMessage());
            }
        } else {
            source = "encryption_keys";
            text = keysText;
        }
        try {
            return MasterKeys.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid " + source + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Encryption[keysFile=" + keysFile + ", keysText=" + (keysText == null ? "none" : "set") + "]";
    }
}
