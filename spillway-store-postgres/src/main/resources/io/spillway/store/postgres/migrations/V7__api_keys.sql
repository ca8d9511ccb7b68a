-- API keys: a row per key with a hash of it (never the key), its tenant and scopes. Every
-- process sharing the store reads the same rows, so a revocation holds everywhere.
CREATE TABLE api_keys (
    id              TEXT    NOT NULL PRIMARY KEY,
    tenant          TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    scopes          TEXT    NOT NULL,
    hash            TEXT    NOT NULL,
    created_at      bigint  NOT NULL,
    expires_at      bigint,
    revoked_at      bigint,
    rate_per_second double precision NOT NULL DEFAULT 0
);
