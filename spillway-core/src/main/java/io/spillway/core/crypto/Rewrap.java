package io.spillway.core.crypto;

import io.spillway.core.Job;
import io.spillway.core.store.Attachment;
import io.spillway.core.store.FieldsReplacement;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.ListParams;
import io.spillway.core.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Key rotation's second half: the data keys of jobs' stored fields re-wrapped under the active
 * master key, a page of jobs at a time, while the server runs. Only the wrapped key of each value
 * changes (its ciphertext stays); each page is one compare-and-set per job, so a job that completes
 * meanwhile keeps its new result. Then the attachments: the data key in each one's header is
 * re-wrapped the same way (one compare-and-set of the header; the frames stay).
 */
public final class Rewrap {
    private final JobStore store;
    private final FieldCipher cipher;
    private final int batch;

    /**
     * @param store the store as it holds the values (not the encrypting decorator)
     */
    public Rewrap(JobStore store, FieldCipher cipher, int batch) {
        this.store = store;
        this.cipher = cipher;
        this.streams = new StreamCipher(cipher.keys());
        this.batch = batch;
    }

    private final StreamCipher streams;

    private static final int ROUNDS = 3;

    /**
     * What a pass did.
     *
     * @param changedMeanwhile jobs that kept changing while they were re-wrapped (three tries): a
     *                         next pass takes them
     * @param unreadable       jobs whose data keys do not unwrap (tampered with, or under a key not
     *                         configured): left as they are
     */
    public record Result(long jobs, long rewrapped, long changedMeanwhile, long unreadable, long attachments,
                         long attachmentsRewrapped, long attachmentsUnreadable, long attachmentsLeft) {
        /** Whether everything read needs no master key but the active one now. */
        public boolean complete() {
            return changedMeanwhile == 0 && unreadable == 0 && attachmentsUnreadable == 0 && attachmentsLeft == 0;
        }
    }

    /** Goes once over every job, newest first. */
    public Result run() {
        long seen = 0;
        long rewrapped = 0;
        long changed = 0;
        long unreadable = 0;
        String after = null;
        do {
            var page = store.jobList(new ListParams(JobStore.ANY_TENANT, null, null, batch, after));
            seen += page.jobs().size();
            var jobs = page.jobs();
            // a job that changed between the read and the write is read again and tried again
            for (int round = 0; round < ROUNDS && !jobs.isEmpty(); round++) {
                var replacements = new ArrayList<FieldsReplacement>();
                for (var job : jobs) {
                    var before = fields(job);
                    FieldsReplacement.Fields now;
                    try {
                        now = rewrapped(job, before);
                    } catch (DecryptionException e) {
                        if (round == 0) {
                            unreadable++; // tampered with, or under a key not configured: left for its reads to fail
                        }
                        continue;
                    }
                    if (!now.equals(before)) {
                        replacements.add(new FieldsReplacement(job.id(), before, now));
                    }
                }
                if (replacements.isEmpty()) {
                    break;
                }
                int applied = store.jobFieldsReplace(replacements);
                rewrapped += applied;
                if (applied == replacements.size()) {
                    break;
                }
                if (round == ROUNDS - 1) {
                    changed += replacements.size() - applied;
                }
                jobs = replacements.stream().map(r -> store.jobGet(JobStore.ANY_TENANT, r.id())).flatMap(Optional::stream).toList();
            }
            after = page.nextAfterId();
        } while (after != null);
        var a = attachments();
        return new Result(seen, rewrapped, changed, unreadable, a[0], a[1], a[2], a[3]);
    }

    /**
     * Seen, re-wrapped, unreadable attachments, and those left under an older key (the store failed,
     * or the header changed between the read and the write and still needs it): a next pass takes them.
     */
    private long[] attachments() {
        long seen = 0;
        long rewrapped = 0;
        long unreadable = 0;
        long left = 0;
        String afterJob = null;
        String afterName = null;
        List<Attachment> page;
        do {
            page = store.attachmentPage(afterJob, afterName, batch);
            for (var a : page) {
                seen++;
                var context = EncryptedJobStore.attachmentContext(a.jobId(), a.name());
                try {
                    var head = head(a);
                    var again = streams.rewrapHeader(head, context);
                    if (again != null) {
                        if (store.attachmentHeadReplace(a, head, again)) {
                            rewrapped++;
                        } else if (stillNeedsRewrap(a, context)) {
                            left++;
                        }
                    }
                } catch (DecryptionException e) {
                    unreadable++;
                } catch (IOException | StoreException e) {
                    if (store.attachmentGet(a.jobId(), a.name()).isPresent()) {
                        left++; // not deleted meanwhile (retention): the store failed, and it still needs its key
                    }
                }
            }
            if (!page.isEmpty()) {
                afterJob = page.getLast().jobId();
                afterName = page.getLast().name();
            }
        } while (page.size() == batch);
        return new long[] {seen, rewrapped, unreadable};
    }

    private byte[] head(Attachment a) throws IOException {
        try (var in = store.attachmentRead(a)) {
            return in.readNBytes(StreamCipher.HEADER);
        }
    }

    /** After a compare-and-set that did not apply: whether the attachment is there and still under an older key. */
    private boolean stillNeedsRewrap(Attachment a, String context) throws IOException {
        var now = store.attachmentGet(a.jobId(), a.name());
        return now.isPresent() && streams.rewrapHeader(head(now.get()), context) != null;
    }

    private static FieldsReplacement.Fields fields(Job j) {
        return new FieldsReplacement.Fields(j.input().json(), j.metadata(), j.result(), j.error());
    }

    private FieldsReplacement.Fields rewrapped(Job j, FieldsReplacement.Fields f) {
        return new FieldsReplacement.Fields(json(f.input(), j, "input"), json(f.metadata(), j, "metadata"),
                json(f.result(), j, "result"), cipher.rewrap(f.error(), EncryptedJobStore.context(j.tenant(), j.id(), "error")));
    }

    private String json(String stored, Job j, String field) {
        if (stored == null || !stored.startsWith("\"" + FieldCipher.PREFIX) || !stored.endsWith("\"")) {
            return stored;
        }
        var token = stored.substring(1, stored.length() - 1);
        var again = cipher.rewrap(token, EncryptedJobStore.context(j.tenant(), j.id(), field));
        return again == token ? stored : "\"" + again + "\"";
    }
}
