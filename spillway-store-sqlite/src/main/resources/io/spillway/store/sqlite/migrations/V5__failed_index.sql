-- The dashboard shows how many failed jobs the store holds; a partial index keeps counting them
-- proportional to the failed jobs rather than to every job retention keeps.
CREATE INDEX jobs_failed ON jobs (finished_at) WHERE state = 'failed';
