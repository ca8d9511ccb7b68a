package io.spillway.core.store;

/** Marker for the parameter records of {@link JobStore}; each carries the caller's {@code now}. */
sealed interface Params permits InsertParams, ClaimParams, FinishParams, LeaseRenewParams,
        RescueParams, ExpireParams, CancelParams, ListParams {
}
