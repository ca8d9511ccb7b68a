-- Claims take a task's runnable jobs in the order of a queue key the scheduler gives each job
-- at insert (priority, aging, deadline and the tenant's fair share folded into one number), so
-- the runnable jobs are indexed by task and key. Jobs pending or running from
-- before (a running one may come back to the queue) get the default key: their class one minute
-- of waiting apart, then first come.
ALTER TABLE jobs ADD COLUMN queue_key INTEGER;
UPDATE jobs SET queue_key = run_at * 1000 + priority * 60000000 WHERE state IN ('pending', 'processing');
CREATE INDEX jobs_queue_by_task ON jobs (task, queue_key) WHERE state = 'pending';
DROP INDEX jobs_runnable_by_task;
