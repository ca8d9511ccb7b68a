-- Each API key's request bucket, shared by every gateway: the tokens left as of updated_at (the
-- store's clock, epoch milliseconds). Gateways take a few tokens at a time.
CREATE TABLE rate_buckets (
    key_id     TEXT             NOT NULL PRIMARY KEY,
    tokens     double precision NOT NULL,
    updated_at bigint           NOT NULL
);
