package io.spillway.core.crypto;

import io.spillway.core.Job;
import io.spillway.core.JobRef;
import io.spillway.core.JobState;
import io.spillway.core.NewJob;
import io.spillway.core.json.JobInput;
import io.spillway.core.keys.ApiKey;
import io.spillway.core.store.Attachment;
import io.spillway.core.store.ClaimParams;
import io.spillway.core.store.FieldsReplacement;
import io.spillway.core.store.InsertParams;
import io.spillway.core.store.InsertResult;
import io.spillway.core.store.JobEvents;
import io.spillway.core.store.JobPage;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.LeaseRenewParams;
import io.spillway.core.store.ListParams;
import io.spillway.core.store.PastDeadlineParams;
import io.spillway.core.store.QueueStats;
import io.spillway.core.store.StateChange;
import io.spillway.core.store.StateChangeParams;
import io.spillway.core.store.StoreException;
import io.spillway.core.store.StuckParams;
import io.spillway.core.store.UsageRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link JobStore} that keeps jobs' inputs, metadata, results and errors, and attachments,
 * encrypted in the store it wraps ({@link FieldCipher}, {@link StreamCipher}): the store never
 * sees them in clear, and everything above this decorator sees nothing else. A field's context is
 * its tenant, job id and name; an attachment's, its job id and name. Values written before
 * encryption was on (or by a writer without keys) are read as they are. A value that does not
 * decrypt fails that read with a {@link DecryptionException}, never with garbage; in a listing it
 * is left out, and a claimed one fails, so one bad row never stops the others.
 *
 * <p>JSON fields (input, metadata, result) are stored as a JSON string holding the token, so they
 * stay valid JSON for anything that reads the column.
 *
 * <p>Without master keys ({@link #withoutKeys}) it writes in clear and refuses to read an encrypted
 * field (a {@link DecryptionException} saying no key is configured) instead of handing out its
 * ciphertext; attachments then pass through as stored.
 */
public final class EncryptedJobStore implements JobStore {
    private static final Logger log = LoggerFactory.getLogger(EncryptedJobStore.class);
    private final JobStore inner;
    private final FieldCipher fields;
    private final StreamCipher streams;

    private final boolean encrypting;

    public EncryptedJobStore(JobStore inner, MasterKeys keys) {
        this.inner = inner;
        this.encrypting = keys != null;
        this.fields = new FieldCipher(keys);
        this.streams = new StreamCipher(keys);
    }

    /** The guard of a store without keys: clear writes, and no ciphertext ever read as if it were the value. */
    public static EncryptedJobStore withoutKeys(JobStore inner) {
        return new EncryptedJobStore(inner, null);
    }

    /** Whether it encrypts what it writes. */
    public boolean encrypting() {
        return encrypting;
    }

    /** The store this one encrypts for. */
    public JobStore inner() {
        return inner;
    }

    public FieldCipher cipher() {
        return fields;
    }

    /** A field's context: labelled and NUL-separated, so no two (tenant, id, field) read alike. */
    static String context(String tenant, String id, String field) {
        return "field\0" + tenant + "\0" + id + "\0" + field;
    }

    static String attachmentContext(String jobId, String name) {
        return "attachment\0" + jobId + "\0" + name;
    }

    /** A JSON field's stored form: the token as a JSON string. */
    String sealJson(String json, String tenant, String id, String field) {
        return json == null ? null : "\"" + fields.encrypt(json, context(tenant, id, field)) + "\"";
    }

    String openJson(String stored, String tenant, String id, String field) {
        if (stored != null && stored.startsWith("\"" + FieldCipher.PREFIX) && stored.endsWith("\"")) {
            return fields.decrypt(stored.substring(1, stored.length() - 1), context(tenant, id, field));
        }
        return stored;
    }

    private static boolean sealed(Job j) {
        return isSealedJson(j.input().json()) || isSealedJson(j.metadata()) || isSealedJson(j.result())
                || FieldCipher.isToken(j.error());
    }

    private static boolean isSealedJson(String stored) {
        return stored != null && stored.startsWith("\"" + FieldCipher.PREFIX);
    }

    private Job open(Job j) {
        if (j == null || !sealed(j)) {
            return j; // written in clear (before encryption was on, or by a writer without keys)
        }
        var id = j.id();
        var t = j.tenant();
        return j.withContent(JobInput.ofJson(openJson(j.input().json(), t, id, "input")), openJson(j.metadata(), t, id, "metadata"),
                openJson(j.result(), t, id, "result"), fields.decrypt(j.error(), context(t, id, "error")));
    }

    /** The jobs that decrypt; one that does not is left out (and logged), so it never stops the others. */
    private List<Job> openEach(List<Job> jobs) {
        var out = new ArrayList<Job>(jobs.size());
        for (var j : jobs) {
            try {
                out.add(open(j));
            } catch (DecryptionException e) {
                log.warn("job {} is left out: {}", j.id(), e.getMessage());
            }
        }
        return out;
    }

    /**
     * Claimed jobs (processing under this claim) that decrypt; one that does not fails at once,
     * saying so, instead of holding its claim until the lease ends or stopping the others.
     */
    private List<Job> openClaimed(List<Job> jobs) {
        var out = new ArrayList<Job>(jobs.size());
        var failed = new ArrayList<StateChange>();
        for (var j : jobs) {
            try {
                out.add(open(j));
            } catch (DecryptionException e) {
                log.warn("job {} failed: {}", j.id(), e.getMessage());
                var why = "its stored data cannot be decrypted (tampered with, or its master key is not configured)";
                failed.add(new StateChange(j.ref(), JobState.PROCESSING, JobState.FAILED, j.attempt(), null,
                        encrypting ? fields.encrypt(why, context(j.tenant(), j.id(), "error")) : why, null, j.tenant()));
            }
        }
        if (!failed.isEmpty()) {
            inner.jobSetStateMany(new StateChangeParams(failed, inner.clock().instant()));
        }
        return out;
    }

    @Override
    public List<InsertResult> jobInsertMany(InsertParams params) {
        if (!encrypting) {
            var results = inner.jobInsertMany(params);
            return results.stream().map(r -> r.created() || r.refused() ? r : new InsertResult(open(r.job()), false)).toList();
        }
        var sealed = new ArrayList<NewJob>(params.jobs().size());
        for (var j : params.jobs()) {
            sealed.add(jobPrepare(j));
        }
        var results = inner.jobInsertMany(new InsertParams(sealed, params.now(), params.queueKeys(), params.maxPendingPerTenant(),
                params.budgets()));
        var out = new ArrayList<InsertResult>(results.size());
        for (int i = 0; i < results.size(); i++) {
            var r = results.get(i);
            if (r.created() && !isSealedJson(params.jobs().get(i).input().json())) {
                // the new row holds what was submitted: give that back instead of decrypting it again
                var plain = params.jobs().get(i);
                out.add(new InsertResult(r.job().withContent(plain.input(), plain.metadata(), null, null), true));
            } else if (r.created()) {
                out.add(r); // prepared, as stored: the engine gives back what was submitted
            } else {
                out.add(new InsertResult(open(r.job()), false, r.refusal()));
            }
        }
        return out;
    }

    /**
     * The job with its input and metadata sealed (once: a job sealed already is as it is; a job's
     * input is a JSON object as submitted, a JSON string only when sealed).
     */
    @Override
    public NewJob jobPrepare(NewJob j) {
        if (!encrypting || isSealedJson(j.input().json())) {
            return j;
        }
        return new NewJob(j.id(), j.tenant(), j.task(), JobInput.ofJson(sealJson(j.input().json(), j.tenant(), j.id(), "input")),
                j.priority(), j.maxAttempts(), j.deadline(), sealJson(j.metadata(), j.tenant(), j.id(), "metadata"),
                j.idempotencyKey(), j.requestHash(), j.traceparent(), j.reservation());
    }

    @Override
    public List<Job> jobClaim(ClaimParams params) {
        return openClaimed(inner.jobClaim(params));
    }

    @Override
    public List<Boolean> jobSetStateMany(StateChangeParams params) {
        if (!encrypting) {
            return inner.jobSetStateMany(params);
        }
        var sealed = params.changes().stream().map(c -> {
            if (c.result() == null && c.error() == null) {
                return c;
            }
            var id = c.ref().id();
            // the lifecycle names the tenant; a change made elsewhere without it costs a read
            var tenant = c.tenant() != null ? c.tenant() : inner.jobGet(ANY_TENANT, id).map(Job::tenant).orElse(null);
            if (tenant == null) {
                return c; // no such job: the store applies nothing
            }
            return c.withOutcome(sealJson(c.result(), tenant, id, "result"), fields.encrypt(c.error(), context(tenant, id, "error")));
        }).toList();
        return inner.jobSetStateMany(new StateChangeParams(sealed, params.now()));
    }

    @Override
    public List<JobRef> jobLeaseRenew(LeaseRenewParams params) {
        return inner.jobLeaseRenew(params);
    }

    @Override
    public List<Job> jobListStuck(StuckParams params) {
        return openClaimed(inner.jobListStuck(params));
    }

    @Override
    public List<Job> jobListPastDeadline(PastDeadlineParams params) {
        return openEach(inner.jobListPastDeadline(params));
    }

    @Override
    public Optional<Job> jobGet(String tenant, String id) {
        return inner.jobGet(tenant, id).map(this::open);
    }

    @Override
    public JobPage jobList(ListParams params) {
        var page = inner.jobList(params);
        return new JobPage(openEach(page.jobs()), page.nextAfterId());
    }

    @Override
    public long jobCountPending() {
        return inner.jobCountPending();
    }

    @Override
    public long jobCountFailed() {
        return inner.jobCountFailed();
    }

    @Override
    public List<UsageRow> usageList(String tenant, LocalDate from, LocalDate to) {
        return inner.usageList(tenant, from, to);
    }

    @Override
    public long costReserved(String tenant) {
        return inner.costReserved(tenant);
    }

    @Override
    public List<QueueStats.Depth> jobQueueDepth() {
        return inner.jobQueueDepth();
    }

    @Override
    public List<QueueStats.Activity> jobTaskActivity(Instant since) {
        return inner.jobTaskActivity(since);
    }

    @Override
    public List<QueueStats.Front> jobQueueFront(Instant now) {
        return inner.jobQueueFront(now);
    }

    @Override
    public void jobQueueFrontPublish(List<QueueStats.Front> fronts) {
        inner.jobQueueFrontPublish(fronts);
    }

    @Override
    public QueueStats jobQueueStats(Instant now) {
        return inner.jobQueueStats(now);
    }

    /**
     * Replaces fields given in clear, as every other method speaks: each job's stored fields are
     * read, compared in clear with {@code before}, and replaced by {@code after} encrypted. (Key
     * rotation works on the stored forms of the store underneath: {@link Rewrap}.)
     */
    @Override
    public int jobFieldsReplace(List<FieldsReplacement> replacements) {
        if (!encrypting) {
            return inner.jobFieldsReplace(replacements);
        }
        var stored = new ArrayList<FieldsReplacement>();
        for (var r : replacements) {
            var raw = inner.jobGet(ANY_TENANT, r.id());
            if (raw.isEmpty()) {
                continue;
            }
            var j = raw.get();
            var plain = open(j);
            if (!new FieldsReplacement.Fields(plain.input().json(), plain.metadata(), plain.result(), plain.error()).equals(r.before())) {
                continue;
            }
            var a = r.after();
            stored.add(new FieldsReplacement(j.id(), new FieldsReplacement.Fields(j.input().json(), j.metadata(), j.result(), j.error()),
                    new FieldsReplacement.Fields(sealJson(a.input(), j.tenant(), j.id(), "input"),
                            sealJson(a.metadata(), j.tenant(), j.id(), "metadata"), sealJson(a.result(), j.tenant(), j.id(), "result"),
                            fields.encrypt(a.error(), context(j.tenant(), j.id(), "error")))));
        }
        return stored.isEmpty() ? 0 : inner.jobFieldsReplace(stored);
    }

    @Override
    public void ping() {
        inner.ping();
    }

    @Override
    public int jobDeleteFinished(Instant finishedBefore, int limit) {
        return inner.jobDeleteFinished(finishedBefore, limit);
    }

    @Override
    public Attachment attachmentWrite(String jobId, String name, String filename, InputStream in, Instant now)
            throws IOException {
        if (!encrypting) {
            return inner.attachmentWrite(jobId, name, filename, in, now);
        }
        var stored = inner.attachmentWrite(jobId, name, filename, streams.encrypting(in, attachmentContext(jobId, name)), now);
        return plain(stored);
    }

    private Attachment plain(Attachment stored) {
        if (!encrypting) {
            return stored;
        }
        return new Attachment(stored.jobId(), stored.name(), stored.filename(),
                StreamCipher.plaintextSize(stored.bytes()));
    }

    /** The attachments, their sizes as their readers see them. */
    @Override
    public List<Attachment> attachmentPage(String afterJobId, String afterName, int limit) {
        return inner.attachmentPage(afterJobId, afterName, limit).stream().map(this::plain).toList();
    }

    /** The head as stored (a re-wrap changes a sealed attachment's header). */
    @Override
    public boolean attachmentHeadReplace(Attachment attachment, byte[] before, byte[] after) {
        return inner.attachmentHeadReplace(attachment, before, after);
    }

    @Override
    public Optional<Attachment> attachmentGet(String jobId, String name) {
        return inner.attachmentGet(jobId, name).map(this::plain);
    }

    @Override
    public InputStream attachmentRead(Attachment attachment) {
        if (!encrypting) {
            return StreamCipher.refusingSealed(inner.attachmentRead(attachment), attachmentContext(attachment.jobId(),
                    attachment.name()));
        }
        var stored = inner.attachmentGet(attachment.jobId(), attachment.name())
                .orElseThrow(() -> new StoreException("attachment " + attachment.name() + " of job "
                        + attachment.jobId() + " is gone"));
        try {
            return streams.decrypting(inner.attachmentRead(stored), attachmentContext(attachment.jobId(), attachment.name()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void attachmentDelete(String jobId, String name) {
        inner.attachmentDelete(jobId, name);
    }

    @Override
    public void attachmentDeleteAll(String jobId) {
        inner.attachmentDeleteAll(jobId);
    }

    @Override
    public int attachmentDeleteOrphans(Instant writtenBefore) {
        return inner.attachmentDeleteOrphans(writtenBefore);
    }

    @Override
    public Map<String, Long> tableRows() {
        return inner.tableRows();
    }

    @Override
    public Optional<JobEvents> events() {
        return inner.events();
    }

    @Override
    public InstantSource clock() {
        return inner.clock();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public void keyInsert(ApiKey key) {
        inner.keyInsert(key);
    }

    @Override
    public Optional<ApiKey> keyGet(String id) {
        return inner.keyGet(id);
    }

    @Override
    public List<ApiKey> keyList() {
        return inner.keyList();
    }

    @Override
    public boolean keyRevoke(String id, Instant at) {
        return inner.keyRevoke(id, at);
    }

    @Override
    public boolean keyExists() {
        return inner.keyExists();
    }
}
