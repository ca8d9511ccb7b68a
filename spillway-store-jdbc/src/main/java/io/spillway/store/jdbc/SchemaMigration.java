package io.spillway.store.jdbc;

/**
 * What opening a store did to its schema: the version it found and the version it left, equal
 * when there was nothing to apply. Version 0 is a database without Spillway's tables.
 */
public record SchemaMigration(int fromVersion, int toVersion) {

    /** True when no migration was applied. */
    public boolean upToDate() {
        return fromVersion == toVersion;
    }

    /** "migrated {what} from version 0 to 3", or "{what} is at version 3, up to date". */
    public String describe(String what) {
        return upToDate() ? what + " is at version " + toVersion + ", up to date"
                : "migrated " + what + " from version " + fromVersion + " to " + toVersion;
    }
}
