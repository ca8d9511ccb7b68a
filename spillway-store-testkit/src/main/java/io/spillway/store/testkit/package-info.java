/**
 * For tests of stores and tasks: {@link io.spillway.store.testkit.JobStoreContract}, the suite every
 * store passes, and object mothers for a new job ({@link io.spillway.store.testkit.NewJobs}) and a
 * claimed one ({@link io.spillway.store.testkit.ClaimedJobs}).
 */
package io.spillway.store.testkit;
