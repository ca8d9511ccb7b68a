/**
 * Documents: taking uploads in ({@link io.spillway.documents.DocumentIntake}: size limit, type
 * check, then the store), keeping them with their job in the store
 * ({@link io.spillway.documents.DocumentStore}), and the {@code extract} task
 * ({@link io.spillway.documents.ExtractTask}) on Apache Tika under byte, character and time limits
 * ({@link io.spillway.documents.DocumentExtractor}).
 */
package io.spillway.documents;
