/**
 * The {@code spillway} command: picocli commands that start a process in one of its roles
 * ({@code serve}, {@code gateway}, {@code worker}), prepare a store ({@code migrate}) or run the load
 * generator ({@code bench}). Everything they run lives in the server library and the bench module.
 */
package io.spillway.app;
