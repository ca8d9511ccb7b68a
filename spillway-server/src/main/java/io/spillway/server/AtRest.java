package io.spillway.server;

import io.spillway.core.crypto.DecryptionException;
import io.spillway.core.crypto.EncryptedJobStore;
import io.spillway.core.crypto.Rewrap;
import io.spillway.core.store.JobStore;
import io.spillway.core.store.ListParams;
import io.spillway.server.config.ConfigException;
import io.spillway.server.config.Encryption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Encryption at rest at start: the store wrapped for the engine, checked against the keys, and a rotation's rewrap. */
final class AtRest {
    private static final Logger log = LoggerFactory.getLogger(AtRest.class);

    private AtRest() {
    }

    /**
     * The store as the engine sees it: encrypting when master keys are configured, else refusing to
     * hand out encrypted values. Reads the newest jobs first, so a missing or wrong master key
     * stops the start, saying so, instead of failing jobs one by one (one job that does not decrypt
     * among others that do was tampered with: it fails its own reads, and the start goes on).
     *
     * @throws ConfigException when the keys are bad or do not decrypt the store's data
     */
    static EncryptedJobStore open(Encryption encryption, JobStore store) {
        var keys = encryption.masterKeys();
        var jobs = keys == null ? EncryptedJobStore.withoutKeys(store) : new EncryptedJobStore(store, keys);
        int opened = 0;
        DecryptionException failure = null;
        for (var job : store.jobList(new ListParams(JobStore.ANY_TENANT, null, null, 50, null)).jobs()) {
            try {
                jobs.jobGet(job.tenant(), job.id());
                opened++;
            } catch (DecryptionException e) {
                failure = e;
                if (e.getMessage().contains("not configured") || e.getMessage().contains("no master key")) {
                    opened = 0;
                    break; // a missing key: nothing it wrote can be read
                }
            }
        }
        if (failure != null && opened == 0) {
            throw new ConfigException("cannot start: " + failure.getMessage() + (keys == null ? "" : "; the master key "
                    + "that wrote it must be among the configured ones (encryption_keys_file, first line active)"));
        }
        if (failure != null) {
            log.warn("a job of the store does not decrypt, though others do (tampered with?): {}", failure.getMessage());
        }
        if (keys != null) {
            log.info("encryption at rest: on, new data keys wrapped by master key {}", keys.activeId());
            if (keys.size() > 1) {
                Thread.ofVirtual().name("spillway-rewrap").start(() -> rewrap(store, jobs));
            }
        }
        return jobs;
    }

    /** A rotation under way (more than one key): the jobs' data keys re-wrapped under the active one, in the background. */
    private static void rewrap(JobStore store, EncryptedJobStore jobs) {
        try {
            var done = new Rewrap(store, jobs.cipher(), 200).run();
            if (!done.complete()) {
                log.warn("rewrap: {} of {} jobs and {} of {} attachments re-wrapped under master key {}; {} jobs kept changing "
                        + "and {} attachments could not be re-wrapped now, and still need an older key (the next start, or "
                        + "spillway keys rewrap, takes them); {} jobs and {} attachments do not decrypt and were left",
                        done.rewrapped(), done.jobs(), done.attachmentsRewrapped(), done.attachments(),
                        jobs.cipher().keys().activeId(), done.changedMeanwhile(), done.attachmentsLeft(), done.unreadable(),
                        done.attachmentsUnreadable());
            } else {
                log.info("rewrap: {} of {} jobs and {} of {} attachments re-wrapped under master key {}: what was written so "
                        + "far needs no other key", done.rewrapped(), done.jobs(), done.attachmentsRewrapped(), done.attachments(),
                        jobs.cipher().keys().activeId());
            }
        } catch (RuntimeException e) {
            log.warn("rewrap stopped: {}; it runs again at the next start", e.getMessage());
        }
    }

}
