-- Budgets and usage: what a pending or running job reserves of its tenant's budget (nanos of a
-- price unit; a job that ends holds nothing), and what completed jobs used per tenant, UTC day,
-- task, model and shard (a process adds to its own shard).
ALTER TABLE jobs ADD COLUMN reserved bigint NOT NULL DEFAULT 0;
CREATE TABLE usage_days (
    tenant        TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    task          TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    shard         integer NOT NULL,
    jobs          bigint  NOT NULL,
    input_tokens  bigint  NOT NULL,
    output_tokens bigint  NOT NULL,
    tokens        bigint  NOT NULL,
    compute_ms    bigint  NOT NULL,
    cost          bigint  NOT NULL,
    PRIMARY KEY (tenant, day, task, model, shard)
);
