-- Budgets and usage: what a pending or running job reserves of its tenant's budget (nanos of a
-- price unit; a job that ends holds nothing), and what completed jobs used per tenant, UTC day,
-- task, model and shard (a process adds to its own shard).
ALTER TABLE jobs ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;
CREATE TABLE usage_days (
    tenant        TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    task          TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    shard         INTEGER NOT NULL,
    jobs          INTEGER NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    tokens        INTEGER NOT NULL,
    compute_ms    INTEGER NOT NULL,
    cost          INTEGER NOT NULL,
    PRIMARY KEY (tenant, day, task, model, shard)
);
