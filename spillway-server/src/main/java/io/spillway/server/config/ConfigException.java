package io.spillway.server.config;

/** A setting is missing, malformed or out of range; the message names the setting and its source. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
