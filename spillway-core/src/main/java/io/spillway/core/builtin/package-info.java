/**
 * The tasks built into the core, with no model: {@code echo} (the result is the input) and
 * {@code sleep} (stands in for a model call), for tests, load measurements and failure drills.
 */
package io.spillway.core.builtin;
