-- Bytes kept with a job (uploaded documents, pipeline checkpoints), so that processes share
-- nothing but the database. The bytes are chunks; a row in attachments, written after the last
-- chunk, makes an attachment visible. Attachments go with their job (retention), and those
-- whose job never came are swept.
CREATE TABLE attachment_chunks (
    job_id     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    written_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, name, seq)
);
CREATE TABLE attachments (
    job_id     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    filename   TEXT,
    bytes      INTEGER NOT NULL,
    chunks     INTEGER NOT NULL,
    written_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, name)
);
