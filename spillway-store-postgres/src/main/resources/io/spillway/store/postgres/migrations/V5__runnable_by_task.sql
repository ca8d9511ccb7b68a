-- Claims are made per task (a process claims only what its handlers have room for), so the
-- runnable jobs are also indexed by task; the query repeats the literal predicate.
CREATE INDEX jobs_runnable_by_task ON jobs (task, priority, run_at) WHERE state = 'pending';
