/**
 * JSON in one place: the shared mapper ({@link io.spillway.core.json.Json}) and the types every
 * task shares on its way in and out: a job's input, read once and checked field by field
 * ({@link io.spillway.core.json.JobInput}), and the usage a result reports
 * ({@link io.spillway.core.json.Usage}).
 */
package io.spillway.core.json;
