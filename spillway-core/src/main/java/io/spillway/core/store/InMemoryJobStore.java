package io.spillway.core.store;

import io.spillway.core.Job;
import io.spillway.core.JobRef;
import io.spillway.core.JobState;
import io.spillway.core.NewJob;
import io.spillway.core.Priority;
import io.spillway.core.json.JobInput;
import io.spillway.core.keys.ApiKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A {@link JobStore} in memory, passing the same contract as the SQL stores: for engine tests
 * in the core (on a fake clock, without files), and for users who want a queue that need not
 * survive the process. Nothing is durable.
 *
 * <p>Implementation notes. One lock guards everything, so every method is one atomic
 * transaction, as the contract asks. Jobs are kept by id in a sorted map: ids are time-ordered,
 * so a listing walks it backwards. Times are kept at millisecond resolution, as the SQL stores
 * keep them, so a job read back equals the same job read from any store. Scans are linear: this
 * store is for tests and small queues, not for a backlog of millions.
 */
public final class InMemoryJobStore implements JobStore {
    private final TreeMap<String, Job> jobs = new TreeMap<>();
    private final Map<String, String> idempotencyKeys = new HashMap<>();
    /** Queue keys of the jobs, by id. */
    private final Map<String, Long> queueKeys = new HashMap<>();
    /** What each job reserves of its tenant's budget, in nanos (jobs that reserve nothing are absent). */
    private final Map<String, Long> reservations = new HashMap<>();
    /** What completed jobs used, by tenant, day, task and model. */
    private final TreeMap<String, UsageRow> usage = new TreeMap<>();
    /** Complete attachments by job id, then name. */
    private final Map<String, Map<String, Stored>> attachments = new HashMap<>();

    private record Stored(Attachment attachment, byte[] bytes, Instant writtenAt) {
    }
    /** API keys by id, in creation order. */
    private final Map<String, ApiKey> keys = new LinkedHashMap<>();
    private boolean closed;

    @Override
    public synchronized List<InsertResult> jobInsertMany(InsertParams params) {
        ensureOpen();
        if (params.limited()) {
            return InsertLimits.apply(params, new InsertLimits.Counts<RuntimeException>() {
                @Override
                public long pending(String tenant) {
                    return jobs.values().stream().filter(j -> j.state() == JobState.PENDING && j.tenant().equals(tenant)).count();
                }

                @Override
                public long budgetUsed(String tenant, LocalDate since) {
                    return costReserved(tenant) + usageList(tenant, since, LocalDate.MAX).stream()
                            .mapToLong(UsageRow::costNanos).sum();
                }

                @Override
                public boolean holdsKey(String tenant, String idempotencyKey) {
                    return idempotencyKeys.containsKey(keyOf(tenant, idempotencyKey));
                }
            }, this::jobInsertMany);
        }
        var results = new ArrayList<InsertResult>(params.jobs().size());
        var now = millis(params.now());
        for (int i = 0; i < params.jobs().size(); i++) {
            NewJob j = params.jobs().get(i);
            if (j.idempotencyKey() != null) {
                var existing = idempotencyKeys.get(keyOf(j.tenant(), j.idempotencyKey()));
                if (existing != null) {
                    results.add(new InsertResult(jobs.get(existing), false));
                    continue;
                }
            }
            if (jobs.containsKey(j.id())) {
                throw new StoreException("job id " + j.id() + " already exists");
            }
            var job = new Job(j.id(), j.tenant(), j.task(), JobState.PENDING, j.priority(), j.input(), j.metadata(), 0,
                    j.maxAttempts(), now, now, millis(j.deadline()), null, null, null, null, null, j.idempotencyKey(),
                    j.requestHash(), j.traceparent());
            jobs.put(job.id(), job);
            queueKeys.put(job.id(), params.queueKeys().get(i));
            if (j.reservation() > 0) {
                reservations.put(job.id(), j.reservation());
            }
            if (j.idempotencyKey() != null) {
                idempotencyKeys.put(keyOf(j.tenant(), j.idempotencyKey()), job.id());
            }
            results.add(new InsertResult(job, true));
        }
        return results;
    }

    @Override
    public synchronized List<Job> jobClaim(ClaimParams params) {
        ensureOpen();
        var now = millis(params.now());
        var runnable = select(j -> claimable(j, now) && (params.task() == null || params.task().equals(j.task())));
        runnable.sort(Comparator.comparingLong((Job j) -> queueKeys.get(j.id())).thenComparing(Job::id));
        var claimed = new ArrayList<Job>(Math.min(params.limit(), runnable.size()));
        var running = new HashMap<String, Integer>();
        if (params.maxRunningPerTenant() > 0) {
            for (Job j : jobs.values()) {
                if (j.state() == JobState.PROCESSING) {
                    running.merge(j.tenant(), 1, Integer::sum);
                }
            }
        }
        for (Job j : runnable) {
            if (claimed.size() == params.limit()) {
                break;
            }
            if (params.maxRunningPerTenant() > 0 && running.merge(j.tenant(), 1, Integer::sum) > params.maxRunningPerTenant()) {
                continue;
            }
            var c = new Job(j.id(), j.tenant(), j.task(), JobState.PROCESSING, j.priority(), j.input(), j.metadata(),
                    j.attempt() + 1, j.maxAttempts(), j.createdAt(), j.runAt(), j.deadline(), millis(params.leaseUntil()),
                    now, null, null, j.error(), j.idempotencyKey(), j.requestHash(), j.traceparent());
            jobs.put(c.id(), c);
            claimed.add(c);
        }
        return claimed;
    }

    @Override
    public synchronized List<Boolean> jobSetStateMany(StateChangeParams params) {
        ensureOpen();
        var now = millis(params.now());
        var applied = new ArrayList<Boolean>(params.changes().size());
        for (StateChange c : params.changes()) {
            var j = jobs.get(c.ref().id());
            if (j == null || j.state() != c.from() || j.attempt() != c.ref().attempt()) {
                applied.add(false);
                continue;
            }
            jobs.put(j.id(), new Job(j.id(), j.tenant(), j.task(), c.to(), j.priority(), j.input(), j.metadata(),
                    c.attemptAfter(), j.maxAttempts(), j.createdAt(), c.runAt() == null ? j.runAt() : millis(c.runAt()),
                    j.deadline(), null, j.startedAt(), c.isTerminal() ? now : null, c.result(), c.error(),
                    j.idempotencyKey(), j.requestHash(), j.traceparent()));
            applied.add(true);
        }
        for (var row : UsageRow.sum(Budget.day(params.now()), StateChange.usagesApplied(params.changes(), applied))) {
            usage.merge(usageKey(row.tenant(), row.day()) + row.task() + "\u0000" + row.model(), row, UsageRow::plus);
        }
        return applied;
    }

    private static String usageKey(String tenant, LocalDate day) {
        return tenant + "\u0000" + day + "\u0000";
    }

    @Override
    public synchronized List<UsageRow> usageList(String tenant, LocalDate from, LocalDate to) {
        ensureOpen();
        return usage.values().stream()
                .filter(r -> (tenant.equals(ANY_TENANT) || r.tenant().equals(tenant))
                        && !r.day().isBefore(from) && !r.day().isAfter(to))
                .sorted(Comparator.comparing(UsageRow::tenant).thenComparing(UsageRow::day).thenComparing(UsageRow::task)
                        .thenComparing(UsageRow::model))
                .toList();
    }

    @Override
    public synchronized long costReserved(String tenant) {
        ensureOpen();
        long sum = 0;
        for (var e : reservations.entrySet()) {
            var j = jobs.get(e.getKey());
            if (j != null && !j.state().isTerminal() && j.tenant().equals(tenant)) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    @Override
    public synchronized List<JobRef> jobLeaseRenew(LeaseRenewParams params) {
        ensureOpen();
        var renewed = new ArrayList<JobRef>();
        for (JobRef ref : params.refs()) {
            var j = jobs.get(ref.id());
            if (j != null && j.state() == JobState.PROCESSING && j.attempt() == ref.attempt()) {
                jobs.put(j.id(), new Job(j.id(), j.tenant(), j.task(), j.state(), j.priority(), j.input(), j.metadata(),
                        j.attempt(), j.maxAttempts(), j.createdAt(), j.runAt(), j.deadline(), millis(params.leaseUntil()),
                        j.startedAt(), j.finishedAt(), j.result(), j.error(), j.idempotencyKey(), j.requestHash(),
                        j.traceparent()));
                renewed.add(ref);
            }
        }
        return renewed;
    }

    @Override
    public synchronized List<Job> jobListStuck(StuckParams params) {
        ensureOpen();
        var before = params.leaseExpiredBefore();
        return limit(select(j -> j.state() == JobState.PROCESSING && j.leaseUntil() != null
                && j.leaseUntil().isBefore(before)), params.limit());
    }

    @Override
    public synchronized List<Job> jobListPastDeadline(PastDeadlineParams params) {
        ensureOpen();
        var now = params.now();
        return limit(select(j -> j.state() == JobState.PENDING && j.deadline() != null && !j.deadline().isAfter(now)),
                params.limit());
    }

    @Override
    public synchronized Optional<Job> jobGet(String tenant, String id) {
        ensureOpen();
        return Optional.ofNullable(jobs.get(id)).filter(j -> ofTenant(j, tenant));
    }

    @Override
    public synchronized JobPage jobList(ListParams params) {
        ensureOpen();
        var view = params.afterId() == null ? jobs.descendingMap() : jobs.headMap(params.afterId(), false).descendingMap();
        var page = new ArrayList<Job>(params.limit());
        for (Job j : view.values()) {
            if (ofTenant(j, params.tenant()) && (params.state() == null || j.state() == params.state())
                    && (params.task() == null || j.task().equals(params.task()))) {
                if (page.size() == params.limit()) {
                    return new JobPage(page, page.getLast().id());
                }
                page.add(j);
            }
        }
        return new JobPage(page, null);
    }

    @Override
    public synchronized long jobCountPending() {
        ensureOpen();
        return jobs.values().stream().filter(j -> j.state() == JobState.PENDING).count();
    }

    @Override
    public synchronized long jobCountFailed() {
        ensureOpen();
        return jobs.values().stream().filter(j -> j.state() == JobState.FAILED).count();
    }

    @Override
    public synchronized List<QueueStats.Activity> jobTaskActivity(Instant since) {
        ensureOpen();
        var running = new TreeMap<String, Long>();
        var finished = new TreeMap<String, Long>();
        for (Job j : jobs.values()) {
            if (j.state() == JobState.PROCESSING) {
                running.merge(j.task(), 1L, Long::sum);
            } else if (j.finishedAt() != null && !j.finishedAt().isBefore(since)) {
                finished.merge(j.task(), 1L, Long::sum);
            }
        }
        var tasks = new TreeMap<String, Boolean>();
        running.keySet().forEach(t -> tasks.put(t, true));
        finished.keySet().forEach(t -> tasks.put(t, true));
        var out = new ArrayList<QueueStats.Activity>();
        for (var t : tasks.keySet()) {
            out.add(new QueueStats.Activity(t, running.getOrDefault(t, 0L), finished.getOrDefault(t, 0L)));
        }
        return out;
    }

    @Override
    public synchronized List<QueueStats.Front> jobQueueFront(Instant now) {
        ensureOpen();
        record Queue(String task, Priority priority) {
        }
        var front = new LinkedHashMap<Queue, Long>();
        var at = millis(now);
        for (Job j : jobs.values()) {
            if (claimable(j, at)) {
                front.merge(new Queue(j.task(), j.priority()), queueKeys.get(j.id()), Math::min);
            }
        }
        var out = new ArrayList<QueueStats.Front>(front.size());
        front.forEach((q, key) -> out.add(new QueueStats.Front(q.task(), q.priority(), key)));
        return out;
    }

    @Override
    public synchronized void jobQueueFrontPublish(List<QueueStats.Front> fronts) {
        ensureOpen(); // nothing else writes to a store in memory: no one needs the fronts
    }

    /** Whether a claim at {@code now} may take {@code j}. */
    private static boolean claimable(Job j, Instant now) {
        return j.state() == JobState.PENDING && !j.runAt().isAfter(now)
                && (j.deadline() == null || j.deadline().isAfter(now)) && j.attempt() < j.maxAttempts();
    }

    @Override
    public synchronized List<QueueStats.Depth> jobQueueDepth() {
        ensureOpen();
        var counts = new TreeMap<String, long[]>();
        for (Job j : jobs.values()) {
            if (j.state() == JobState.PENDING) {
                counts.computeIfAbsent(j.task(), t -> new long[Priority.values().length])[j.priority().rank()]++;
            }
        }
        var out = new ArrayList<QueueStats.Depth>();
        counts.forEach((task, byRank) -> {
            for (int rank = 0; rank < byRank.length; rank++) {
                if (byRank[rank] > 0) {
                    out.add(new QueueStats.Depth(task, Priority.fromRank(rank), byRank[rank]));
                }
            }
        });
        return out;
    }

    @Override
    public synchronized QueueStats jobQueueStats(Instant now) {
        ensureOpen();
        long pending = 0;
        long processing = 0;
        Instant oldest = null;
        for (Job j : jobs.values()) {
            if (j.state() == JobState.PENDING) {
                pending++;
                oldest = oldest == null || j.runAt().isBefore(oldest) ? j.runAt() : oldest;
            } else if (j.state() == JobState.PROCESSING) {
                processing++;
            }
        }
        var age = oldest == null || oldest.isAfter(now) ? Duration.ZERO : Duration.between(oldest, now);
        return new QueueStats(pending, processing, Duration.ofMillis(age.toMillis()));
    }

    @Override
    public synchronized void ping() {
        ensureOpen();
    }

    @Override
    public synchronized int jobDeleteFinished(Instant finishedBefore, int limit) {
        ensureOpen();
        var done = select(j -> j.finishedAt() != null && j.finishedAt().isBefore(finishedBefore));
        done.sort(Comparator.comparing(Job::finishedAt));
        var deleted = limit(done, limit);
        for (Job j : deleted) {
            jobs.remove(j.id());
            queueKeys.remove(j.id());
            reservations.remove(j.id());
            attachments.remove(j.id());
            if (j.idempotencyKey() != null) {
                idempotencyKeys.remove(keyOf(j.tenant(), j.idempotencyKey()));
            }
        }
        return deleted.size();
    }

    @Override
    public Attachment attachmentWrite(String jobId, String name, String filename, InputStream in, Instant now)
            throws IOException {
        var bytes = in.readAllBytes(); // read outside the lock, as the SQL stores write chunks outside theirs
        var attachment = new Attachment(jobId, name, filename, bytes.length);
        synchronized (this) {
            ensureOpen();
            attachments.computeIfAbsent(jobId, k -> new HashMap<>()).put(name, new Stored(attachment, bytes, millis(now)));
        }
        return attachment;
    }

    @Override
    public synchronized List<Attachment> attachmentPage(String afterJobId, String afterName, int limit) {
        ensureOpen();
        return attachments.values().stream().flatMap(m -> m.values().stream()).map(Stored::attachment)
                .filter(a -> afterJobId == null || a.jobId().compareTo(afterJobId) > 0
                        || a.jobId().equals(afterJobId) && a.name().compareTo(afterName) > 0)
                .sorted(Comparator.comparing(Attachment::jobId).thenComparing(Attachment::name))
                .limit(limit).toList();
    }

    @Override
    public synchronized boolean attachmentHeadReplace(Attachment attachment, byte[] before, byte[] after) {
        ensureOpen();
        if (before.length != after.length) {
            throw new IllegalArgumentException("a head is replaced by one of its length");
        }
        var stored = attachments.getOrDefault(attachment.jobId(), Map.of()).get(attachment.name());
        if (stored == null || stored.bytes().length < before.length
                || !Arrays.equals(stored.bytes(), 0, before.length, before, 0, before.length)) {
            return false;
        }
        System.arraycopy(after, 0, stored.bytes(), 0, after.length);
        return true;
    }

    @Override
    public synchronized Optional<Attachment> attachmentGet(String jobId, String name) {
        ensureOpen();
        return Optional.ofNullable(attachments.getOrDefault(jobId, Map.of()).get(name)).map(Stored::attachment);
    }

    @Override
    public synchronized InputStream attachmentRead(Attachment attachment) {
        ensureOpen();
        var stored = attachments.getOrDefault(attachment.jobId(), Map.of()).get(attachment.name());
        if (stored == null) {
            throw new StoreException("attachment " + attachment.name() + " of job " + attachment.jobId() + " is gone");
        }
        return new ByteArrayInputStream(stored.bytes());
    }

    @Override
    public synchronized void attachmentDelete(String jobId, String name) {
        ensureOpen();
        attachments.getOrDefault(jobId, new HashMap<>()).remove(name);
    }

    @Override
    public synchronized void attachmentDeleteAll(String jobId) {
        ensureOpen();
        attachments.remove(jobId);
    }

    @Override
    public synchronized int attachmentDeleteOrphans(Instant writtenBefore) {
        ensureOpen();
        int deleted = 0;
        for (var perJob = attachments.entrySet().iterator(); perJob.hasNext(); ) {
            var entry = perJob.next();
            if (!jobs.containsKey(entry.getKey())) {
                int before = entry.getValue().size();
                entry.getValue().values().removeIf(a -> a.writtenAt().isBefore(writtenBefore));
                deleted += before - entry.getValue().size();
                if (entry.getValue().isEmpty()) {
                    perJob.remove();
                }
            }
        }
        return deleted;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    @Override
    public synchronized void keyInsert(ApiKey key) {
        ensureOpen();
        var kept = new ApiKey(key.id(), key.tenant(), key.name(), key.scopes(), key.hash(), millis(key.createdAt()),
                millis(key.expiresAt()), millis(key.revokedAt()), key.ratePerSecond());
        if (keys.putIfAbsent(key.id(), kept) != null) {
            throw new StoreException("a key with the id " + key.id() + " exists");
        }
    }

    @Override
    public synchronized Optional<ApiKey> keyGet(String id) {
        ensureOpen();
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public synchronized List<ApiKey> keyList() {
        ensureOpen();
        return List.copyOf(keys.values());
    }

    @Override
    public synchronized boolean keyRevoke(String id, Instant at) {
        ensureOpen();
        var key = keys.get(id);
        if (key == null || key.revokedAt() != null) {
            return false;
        }
        keys.put(id, key.revoked(millis(at)));
        return true;
    }

    @Override
    public synchronized boolean keyExists() {
        ensureOpen();
        return !keys.isEmpty();
    }

    @Override
    public synchronized int jobFieldsReplace(List<FieldsReplacement> replacements) {
        ensureOpen();
        int n = 0;
        for (var r : replacements) {
            var j = jobs.get(r.id());
            if (j == null || !new FieldsReplacement.Fields(j.input().json(), j.metadata(), j.result(), j.error()).equals(r.before())) {
                continue;
            }
            var a = r.after();
            jobs.put(j.id(), j.withContent(JobInput.ofJson(a.input()), a.metadata(), a.result(), a.error()));
            n++;
        }
        return n;
    }

    private static boolean ofTenant(Job job, String tenant) {
        return tenant.equals(ANY_TENANT) || job.tenant().equals(tenant);
    }

    private List<Job> select(Predicate<Job> filter) {
        var out = new ArrayList<Job>();
        for (Job j : jobs.values()) {
            if (filter.test(j)) {
                out.add(j);
            }
        }
        return out;
    }

    private static List<Job> limit(List<Job> list, int limit) {
        return list.size() <= limit ? list : List.copyOf(list.subList(0, limit));
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException("the in-memory store is closed");
        }
    }

    private static String keyOf(String tenant, String key) {
        return tenant + '\u0000' + key;
    }

    private static Instant millis(Instant t) {
        return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
    }
}
