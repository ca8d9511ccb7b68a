-- Jobs: one row per job, every transition an UPDATE of its row. Times are epoch milliseconds,
-- as in the SQLite store, so both run the same queries.
CREATE TABLE jobs (
    id              uuid     NOT NULL PRIMARY KEY,  -- UUIDv7: sorts by creation
    tenant          text     NOT NULL,
    task            text     NOT NULL,
    state           text     NOT NULL,              -- pending|processing|completed|failed|cancelled|expired
    priority        smallint NOT NULL,              -- 0 interactive, 1 standard, 2 batch
    input           text     NOT NULL,              -- JSON, kept as written
    metadata        text,
    attempt         integer  NOT NULL DEFAULT 0,    -- claims so far; the lease's fencing token
    max_attempts    integer  NOT NULL,
    created_at      bigint   NOT NULL,
    run_at          bigint   NOT NULL,              -- not claimed before this (backoff)
    deadline        bigint,
    lease_until     bigint,
    started_at      bigint,
    finished_at     bigint,
    result          text,
    error           text,
    worker          text,
    idempotency_key text,
    request_hash    text
);

-- Partial indexes keep the hot sets small; queries repeat the literal predicates.
CREATE INDEX jobs_runnable ON jobs (priority, run_at) WHERE state = 'pending';
CREATE INDEX jobs_leases ON jobs (lease_until) WHERE state = 'processing';
CREATE INDEX jobs_deadlines ON jobs (deadline) WHERE state = 'pending' AND deadline IS NOT NULL;
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
