-- Claims are made per task (a process claims only what its handlers have room for), so the
-- runnable jobs are indexed by task, then priority and due time; the query repeats the literal
-- predicate. The index by priority alone goes: every pending job kept in two indexes cost the
-- insert and the claim a second index write each.
CREATE INDEX jobs_runnable_by_task ON jobs (task, priority, run_at) WHERE state = 'pending';
DROP INDEX jobs_runnable;
