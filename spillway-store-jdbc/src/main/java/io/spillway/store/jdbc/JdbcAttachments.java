package io.spillway.store.jdbc;

import io.spillway.core.store.Attachment;
import io.spillway.core.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Attachments in two tables both SQL stores share: {@code attachment_chunks} (the bytes, in
 * chunks of {@link Attachment#CHUNK_BYTES}) and {@code attachments} (one row per complete
 * attachment, written after its last chunk: the row is what makes it visible). The statements are
 * the same in both dialects but for how a job id is bound ({@code ?} in SQLite, a cast to
 * {@code uuid} in PostgreSQL). Each method runs on the connection and in the transaction it is
 * given; {@link #write} runs one transaction per chunk through a {@link Transactions}.
 */
public final class JdbcAttachments {
    /** Runs work in one transaction of the store, and answers what it returned. */
    @FunctionalInterface
    public interface Transactions {
        <T> T inTransaction(String what, Work<T> work);
    }

    /** Work on a connection inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final String deleteNamedChunks;
    private final String deleteNamed;
    private final String insertChunk;
    private final String insertDone;
    private final String get;
    private final String chunk;
    private final String deleteAllChunks;
    private final String deleteAll;
    private final String orphanChunks;
    private final String orphans;
    private final String idParam;
    private final String firstChunkForUpdate;
    private final String firstChunkUpdate;

    /** @param idParam how a job id parameter is written: {@code ?}, or {@code CAST(? AS uuid)} */
    public JdbcAttachments(String idParam) {
        this(idParam, "");
    }

    /**
     * @param lock what locks a row read for an update ({@code FOR UPDATE}), or empty where one
     *             writer at a time is the rule (SQLite)
     */
    public JdbcAttachments(String idParam, String lock) {
        this.idParam = idParam;
        firstChunkForUpdate = "SELECT data FROM attachment_chunks WHERE job_id = " + idParam + " AND name = ? AND seq = 0"
                + (lock.isEmpty() ? "" : " " + lock);
        firstChunkUpdate = "UPDATE attachment_chunks SET data = ? WHERE job_id = " + idParam + " AND name = ? AND seq = 0";
        deleteNamedChunks = "DELETE FROM attachment_chunks WHERE job_id = " + idParam + " AND name = ?";
        deleteNamed = "DELETE FROM attachments WHERE job_id = " + idParam + " AND name = ?";
        insertChunk = "INSERT INTO attachment_chunks (job_id, name, seq, data, written_at) VALUES (" + idParam + ", ?, ?, ?, ?)";
        insertDone = "INSERT INTO attachments (job_id, name, filename, bytes, chunks, written_at) VALUES (" + idParam
                + ", ?, ?, ?, ?, ?)";
        get = "SELECT filename, bytes FROM attachments WHERE job_id = " + idParam + " AND name = ?";
        chunk = "SELECT data FROM attachment_chunks WHERE job_id = " + idParam + " AND name = ? AND seq = ?";
        deleteAllChunks = "DELETE FROM attachment_chunks WHERE job_id = " + idParam;
        deleteAll = "DELETE FROM attachments WHERE job_id = " + idParam;
        orphanChunks = "DELETE FROM attachment_chunks WHERE written_at < ?"
                + " AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = attachment_chunks.job_id)";
        orphans = "DELETE FROM attachments WHERE written_at < ?"
                + " AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = attachments.job_id)";
    }

    /**
     * Writes {@code in} chunk by chunk, one transaction each, then the row that makes it visible;
     * an attachment of the same name is replaced (it disappears in the first transaction).
     */
    public Attachment write(Transactions tx, String jobId, String name, String filename, InputStream in, Instant now)
            throws IOException {
        long at = now.toEpochMilli();
        tx.inTransaction("attachment write", c -> {
            deleteNamed(c, jobId, name);
            return null;
        });
        long total = 0;
        int seq = 0;
        try {
            for (byte[] data = in.readNBytes(Attachment.CHUNK_BYTES); data.length > 0;
                 data = in.readNBytes(Attachment.CHUNK_BYTES)) {
                int s = seq++;
                var bytes = data;
                tx.inTransaction("attachment write", c -> {
                    try (var ps = c.prepareStatement(insertChunk)) {
                        ps.setString(1, jobId);
                        ps.setString(2, name);
                        ps.setInt(3, s);
                        ps.setBytes(4, bytes);
                        ps.setLong(5, at);
                        return ps.executeUpdate();
                    }
                });
                total += data.length;
            }
        } catch (IOException | RuntimeException e) {
            try {
                tx.inTransaction("attachment delete", c -> {
                    deleteNamed(c, jobId, name);
                    return null;
                });
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed); // the chunks are orphans now; the sweep takes them
            }
            throw e;
        }
        var attachment = new Attachment(jobId, name, filename, total);
        int chunks = seq;
        tx.inTransaction("attachment write", c -> {
            try (var ps = c.prepareStatement(insertDone)) {
                ps.setString(1, jobId);
                ps.setString(2, name);
                ps.setString(3, filename);
                ps.setLong(4, attachment.bytes());
                ps.setInt(5, chunks);
                ps.setLong(6, at);
                return ps.executeUpdate();
            }
        });
        return attachment;
    }

    public Optional<Attachment> get(Connection c, String jobId, String name) throws SQLException {
        try (var ps = c.prepareStatement(get)) {
            ps.setString(1, jobId);
            ps.setString(2, name);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Attachment(jobId, name, rs.getString("filename"), rs.getLong("bytes")))
                        : Optional.empty();
            }
        }
    }

    /** The bytes of chunk {@code seq}, or null past the last one. */
    public byte[] chunk(Connection c, Attachment attachment, int seq) throws SQLException {
        try (var ps = c.prepareStatement(chunk)) {
            ps.setString(1, attachment.jobId());
            ps.setString(2, attachment.name());
            ps.setInt(3, seq);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes("data") : null;
            }
        }
    }

    /**
     * A stream over an attachment's chunks, each read in its own read when the previous one is
     * consumed.
     *
     * @param reads runs a read on one of the store's connections
     */
    public InputStream read(Transactions reads, Attachment attachment) {
        return new ChunkStream(attachment, seq -> reads.inTransaction("attachment read", c -> chunk(c, attachment, seq)));
    }

    /** Up to {@code limit} complete attachments after ({@code afterJobId}, {@code afterName}) (null: from the first), in that order. */
    public List<Attachment> page(Connection c, String afterJobId, String afterName, int limit) throws SQLException {
        var sql = "SELECT job_id, name, filename, bytes FROM attachments"
                + (afterJobId == null ? "" : " WHERE job_id > " + idParam + " OR (job_id = " + idParam + " AND name > ?)")
                + " ORDER BY job_id, name LIMIT ?";
        try (var ps = c.prepareStatement(sql)) {
            int i = 1;
            if (afterJobId != null) {
                ps.setString(i++, afterJobId);
                ps.setString(i++, afterJobId);
                ps.setString(i++, afterName);
            }
            ps.setInt(i, limit);
            var out = new ArrayList<Attachment>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Attachment(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
                }
            }
            return out;
        }
    }

    /** Replaces the first bytes of the attachment where they still are {@code before} (same length); whether it did. */
    public boolean headReplace(Connection c, Attachment a, byte[] before, byte[] after) throws SQLException {
        if (before.length != after.length) {
            throw new IllegalArgumentException("a head is replaced by one of its length");
        }
        byte[] data;
        try (var ps = c.prepareStatement(firstChunkForUpdate)) {
            ps.setString(1, a.jobId());
            ps.setString(2, a.name());
            try (var rs = ps.executeQuery()) {
                data = rs.next() ? rs.getBytes(1) : null;
            }
        }
        if (data == null || data.length < before.length || !Arrays.equals(data, 0, before.length, before, 0, before.length)) {
            return false;
        }
        System.arraycopy(after, 0, data, 0, after.length);
        try (var ps = c.prepareStatement(firstChunkUpdate)) {
            ps.setBytes(1, data);
            ps.setString(2, a.jobId());
            ps.setString(3, a.name());
            return ps.executeUpdate() == 1;
        }
    }

    public void deleteAll(Connection c, String jobId) throws SQLException {
        for (var sql : new String[] {deleteAll, deleteAllChunks}) {
            try (var ps = c.prepareStatement(sql)) {
                ps.setString(1, jobId);
                ps.executeUpdate();
            }
        }
    }

    public int deleteOrphans(Connection c, Instant writtenBefore) throws SQLException {
        int deleted = 0;
        for (var sql : new String[] {orphans, orphanChunks}) {
            try (var ps = c.prepareStatement(sql)) {
                ps.setLong(1, writtenBefore.toEpochMilli());
                deleted += ps.executeUpdate();
            }
        }
        return deleted;
    }

    public void deleteNamed(Connection c, String jobId, String name) throws SQLException {
        for (var sql : new String[] {deleteNamed, deleteNamedChunks}) {
            try (var ps = c.prepareStatement(sql)) {
                ps.setString(1, jobId);
                ps.setString(2, name);
                ps.executeUpdate();
            }
        }
    }

    /** Reads chunk after chunk; holds one chunk at a time. */
    private static final class ChunkStream extends InputStream {
        @FunctionalInterface
        interface ChunkReader {
            byte[] chunk(int seq);
        }

        private final Attachment attachment;
        private final ChunkReader reader;
        private byte[] current = new byte[0];
        private int pos;
        private int nextSeq;
        private long delivered;

        ChunkStream(Attachment attachment, ChunkReader reader) {
            this.attachment = attachment;
            this.reader = reader;
        }

        @Override
        public int read() throws IOException {
            var one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (pos == current.length) {
                if (delivered == attachment.bytes()) {
                    return -1;
                }
                var next = reader.chunk(nextSeq++);
                if (next == null) {
                    throw new StoreException("attachment " + attachment.name() + " of job " + attachment.jobId()
                            + " is gone or incomplete");
                }
                current = next;
                pos = 0;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            delivered += n;
            return n;
        }

        @Override
        public int available() {
            return current.length - pos;
        }

        @Override
        public void close() {
            current = new byte[0];
            pos = 0;
            delivered = attachment.bytes();
        }
    }
}
