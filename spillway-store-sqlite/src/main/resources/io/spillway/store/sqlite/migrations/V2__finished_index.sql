-- Retention deletes finished jobs oldest first; only terminal jobs have finished_at.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
