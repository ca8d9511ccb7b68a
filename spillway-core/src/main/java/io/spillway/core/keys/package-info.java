/**
 * API keys: what a key may do ({@link io.spillway.core.keys.KeyScope}), what the store keeps of
 * it ({@link io.spillway.core.keys.ApiKey}, never the secret), how a key is made and checked
 * ({@link io.spillway.core.keys.ApiKeys}), and the port stores implement
 * ({@link io.spillway.core.keys.KeyStore}).
 */
package io.spillway.core.keys;
