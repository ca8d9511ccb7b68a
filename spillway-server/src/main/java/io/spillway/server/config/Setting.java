package io.spillway.server.config;

import java.util.Locale;
import java.util.function.Function;

/**
 * One configuration setting: its key in {@code spillway.yaml}, its environment variable and
 * flag (both derived from the key), its default and how a text value is parsed and checked.
 *
 * @param key         snake_case key, e.g. {@code max_body_bytes}
 * @param description one line for {@code --help} and the docs
 * @param defaultText the default as text (parsed like any other value), or null when unset
 * @param parser      parses and validates; throws {@link IllegalArgumentException} with a reason
 */
public record Setting<T>(String key, String description, String defaultText, Function<String, T> parser) {

    /** {@code SPILLWAY_MAX_BODY_BYTES} for {@code max_body_bytes}. */
    public String envName() {
        return "SPILLWAY_" + key.toUpperCase(Locale.ROOT);
    }

    /** {@code --max-body-bytes} for {@code max_body_bytes}. */
    public String flag() {
        return "--" + key.replace('_', '-');
    }
}
