-- Jobs: one row per job, every transition an UPDATE of its row. Times are epoch milliseconds.
CREATE TABLE jobs (
    id              TEXT    NOT NULL PRIMARY KEY,  -- UUIDv7: sorts by creation
    tenant          TEXT    NOT NULL,
    task            TEXT    NOT NULL,
    state           TEXT    NOT NULL,              -- pending|processing|completed|failed|cancelled|expired
    priority        INTEGER NOT NULL,              -- 0 interactive, 1 standard, 2 batch
    input           TEXT    NOT NULL,              -- JSON
    metadata        TEXT,                          -- JSON
    attempt         INTEGER NOT NULL DEFAULT 0,    -- claims so far; the lease's fencing token
    max_attempts    INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    run_at          INTEGER NOT NULL,              -- not claimed before this (backoff)
    deadline        INTEGER,                       -- expires if not started by then
    lease_until     INTEGER,                       -- while processing
    started_at      INTEGER,                       -- latest attempt's claim
    finished_at     INTEGER,                       -- terminal states
    result          TEXT,                          -- JSON
    error           TEXT,
    worker          TEXT,
    idempotency_key TEXT,
    request_hash    TEXT
);

-- Partial indexes keep the hot sets small: only pending rows are in the claim index, only
-- processing rows in the lease index. Queries repeat the literal predicate so the planner can
-- use them (a bound parameter would not match).
CREATE INDEX jobs_runnable ON jobs (priority, run_at) WHERE state = 'pending';
CREATE INDEX jobs_leases ON jobs (lease_until) WHERE state = 'processing';
CREATE INDEX jobs_deadlines ON jobs (deadline) WHERE state = 'pending' AND deadline IS NOT NULL;
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
