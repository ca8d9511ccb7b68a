package io.spillway.core.store;

/** Marker for the parameter records of {@link JobStore}; where time matters, each carries the caller's time. */
sealed interface Params permits InsertParams, ClaimParams, StateChangeParams, LeaseRenewParams,
        StuckParams, PastDeadlineParams, ListParams {
}
