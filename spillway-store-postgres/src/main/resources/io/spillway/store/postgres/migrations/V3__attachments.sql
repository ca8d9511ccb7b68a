-- Bytes kept with a job (uploaded documents, pipeline checkpoints), so that gateways and workers
-- share nothing but the database. The bytes are chunks; a row in attachments, written after the
-- last chunk, makes an attachment visible. Attachments go with their job (retention), and those
-- whose job never came are swept.
CREATE TABLE attachment_chunks (
    job_id     uuid   NOT NULL,
    name       text   NOT NULL,
    seq        integer NOT NULL,
    data       bytea  NOT NULL,
    written_at bigint NOT NULL,
    PRIMARY KEY (job_id, name, seq)
);
CREATE TABLE attachments (
    job_id     uuid   NOT NULL,
    name       text   NOT NULL,
    filename   text,
    bytes      bigint NOT NULL,
    chunks     integer NOT NULL,
    written_at bigint NOT NULL,
    PRIMARY KEY (job_id, name)
);
