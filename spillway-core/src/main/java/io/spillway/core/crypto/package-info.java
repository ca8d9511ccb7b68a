/**
 * Encryption at rest: master keys ({@link io.spillway.core.crypto.MasterKeys}), envelope
 * encryption of fields ({@link io.spillway.core.crypto.FieldCipher}) and of attachment streams
 * ({@link io.spillway.core.crypto.StreamCipher}), and the store decorator that applies them
 * ({@link io.spillway.core.crypto.EncryptedJobStore}). AES-256-GCM from the JDK.
 */
package io.spillway.core.crypto;
