-- Claims take a task's runnable jobs in the order of a queue key the scheduler gives each job
-- at insert (priority, aging, deadline and the tenant's fair share folded into one number), so
-- the runnable jobs are indexed by task and key. Jobs pending or running from
-- before (a running one may come back to the queue) get the default key: their class one minute
-- of waiting apart, then first come. A writer that names no key (an older client) puts its job
-- first, in every store.
ALTER TABLE jobs ADD COLUMN queue_key bigint NOT NULL DEFAULT 0;
UPDATE jobs SET queue_key = run_at * 1000 + priority * 60000000 WHERE state IN ('pending', 'processing');
CREATE INDEX jobs_queue_by_task ON jobs (task, queue_key) WHERE state = 'pending';
DROP INDEX jobs_runnable_by_task;
-- Where the scheduler keys new jobs of each task and priority, for writers that key jobs without
-- it (the JDBC client): published by every scheduling process, a front only moving forward.
CREATE TABLE queue_fronts (
    task      TEXT    NOT NULL,
    priority  INTEGER NOT NULL,
    front_key bigint   NOT NULL,
    PRIMARY KEY (task, priority)
);
