/**
 * Settings: every one listed once in {@link io.spillway.server.config.Settings} (name, flag,
 * environment variable, default, description), resolved flag over environment over file over
 * default into a {@link io.spillway.server.config.ServerConfig}; a bad value is a
 * {@link io.spillway.server.config.ConfigException} naming the setting.
 */
package io.spillway.server.config;
