package io.stemedb.backup;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.ByteSource;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.StemeException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.apache.commons.codec.digest.Blake3;

/**
 * The portable archive, format version 1 (docs/format.md, "Archive"): a header stating the format
 * version, the number of assertions, the digest (Merkle root) of their ids, the creation time and
 * the filter; the assertions as canonical records, optionally deflate-compressed; and a trailer
 * with the count again and a BLAKE3 checksum of every byte before it. Any replica of any version
 * that reads format 1 can import it: records are the canonical encoding, which never changes.
 *
 * <p>Reading is two-pass and all-or-nothing: {@link #verify} reads the whole archive, checking the
 * checksum, decoding every record strictly, recomputing its id and the digest and count, and
 * {@link #importInto} stores records only after that pass has succeeded, so a damaged archive
 * stores nothing. Import is idempotent (it merges a set). Stateless and thread-safe.
 */
public final class Archive {
    static final byte[] MAGIC = {'S', 'T', 'M', 'A'};
    static final byte[] TRAILER_MAGIC = {'S', 'T', 'M', 'E'};
    static final int VERSION = 1;
    static final int TRAILER_BYTES = 4 + 8 + 32;
    private static final int FLAG_DEFLATE = 1;
    private static final int PROGRESS_EVERY = 4096;
    private static final int IMPORT_BATCH = 1000;

    private Archive() {}

    /**
     * Writes an archive of the assertions {@code source} yields to {@code target} (replaced
     * atomically: a temporary file is renamed over it when complete). {@code source} is asked
     * twice: once to compute the header's count and digest, once to write.
     *
     * @param filter a human-readable description of what was selected, stored in the header
     */
    public static ArchiveSummary export(Supplier<Iterator<Assertion>> source, Path target, String filter,
            boolean compress, ProgressListener progress) {
        Objects.requireNonNull(filter, "filter");
        IdDigest digest = IdDigest.empty();
        long count = 0;
        for (Iterator<Assertion> it = source.get(); it.hasNext(); ) {
            digest = digest.plus(it.next().id());
            count++;
            if (count % PROGRESS_EVERY == 0) {
                progress.progress("export: counting", count, -1);
            }
        }
        Instant now = Instant.now();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            long written = 0;
            try (ChecksummedOutput file = new ChecksummedOutput(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                file.write(new ByteSink().raw(MAGIC).u8(VERSION).u8(compress ? FLAG_DEFLATE : 0).u64(count)
                        .raw(digest.toBytes()).u64(now.toEpochMilli()).string(filter).toByteArray());
                OutputStream body = compress ? new DeflaterOutputStream(file.unclosable(), true) : file.unclosable();
                for (Iterator<Assertion> it = source.get(); it.hasNext(); ) {
                    byte[] record = it.next().canonicalBytes();
                    body.write(new ByteSink(8).varint(record.length).toByteArray());
                    body.write(record);
                    written++;
                    if (written % PROGRESS_EVERY == 0) {
                        progress.progress("export", written, count);
                    }
                }
                if (body instanceof DeflaterOutputStream) {
                    ((DeflaterOutputStream) body).finish();
                }
                if (written != count) {
                    throw new ArchiveException("the source changed between the two passes of export (" + count
                            + " then " + written + " assertions); export from a fixed selection, such as asOf(T)");
                }
                file.writeTrailer(count);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            progress.progress("export", count, count);
            return new ArchiveSummary(count, digest, now, filter, compress, Files.size(target));
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw new ArchiveException("cannot write the archive " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the whole archive and checks it: format, checksum, every record (strict decoding and
     * re-hashing), and the count and digest against the header and trailer.
     *
     * @throws ArchiveException naming the first problem found
     */
    public static ArchiveSummary verify(Path archive, ProgressListener progress) {
        return read(archive, progress, null);
    }

    /**
     * Verifies the archive, then hands its assertions to {@code sink} in batches (for example a
     * database's merge). Nothing reaches the sink unless the whole archive verified.
     */
    public static ArchiveSummary importInto(Path archive, Consumer<List<Assertion>> sink, ProgressListener progress) {
        ArchiveSummary summary = read(archive, progress, null);
        read(archive, (phase, done, total) -> progress.progress("import", done, total), sink);
        return summary;
    }

    private static ArchiveSummary read(Path archive, ProgressListener progress, Consumer<List<Assertion>> sink) {
        long size;
        try {
            size = Files.size(archive);
        } catch (IOException e) {
            throw new ArchiveException("cannot read the archive " + archive + ": " + e.getMessage(), e);
        }
        if (size < TRAILER_BYTES + 64) {
            throw new ArchiveException(archive + " is " + size + " bytes, too short to be a StemeDB archive");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
            ChecksummedInput in = new ChecksummedInput(raw, size - TRAILER_BYTES);
            Header h = Header.read(in, archive);
            InputStream body = (h.flags & FLAG_DEFLATE) != 0 ? new InflaterInputStream(in) : in;
            DataInputStream records = new DataInputStream(body);
            IdDigest digest = IdDigest.empty();
            List<Assertion> batch = new ArrayList<>();
            long n = 0;
            while (true) {
                int length = readVarint(records, n);
                if (length < 0) {
                    break;
                }
                if (length > CanonicalCodec.MAX_RECORD_BYTES) {
                    throw new ArchiveException("record " + (n + 1) + " claims " + length + " bytes, more than any "
                            + "assertion; the archive is damaged");
                }
                byte[] bytes = new byte[length];
                try {
                    records.readFully(bytes);
                } catch (EOFException e) {
                    throw new ArchiveException("record " + (n + 1) + " is cut short: the archive is truncated");
                }
                Assertion a;
                try {
                    a = CanonicalCodec.decode(bytes);
                } catch (StemeException e) {
                    throw new ArchiveException("record " + (n + 1) + " is damaged: " + e.getMessage(), e);
                }
                n++;
                digest = digest.plus(a.id());
                if (sink != null) {
                    batch.add(a);
                    if (batch.size() == IMPORT_BATCH) {
                        sink.accept(batch);
                        batch = new ArrayList<>();
                    }
                }
                if (n % PROGRESS_EVERY == 0) {
                    progress.progress("verify", n, h.count);
                }
            }
            if (in.position() != size - TRAILER_BYTES) {
                throw new ArchiveException("the archive has " + (size - TRAILER_BYTES - in.position())
                        + " unexpected bytes after its records");
            }
            byte[] checksum = in.checksum();
            byte[] trailer = raw.readNBytes(TRAILER_BYTES);
            ByteSource t = new ByteSource(trailer, (m, o) -> new ArchiveException("trailer: " + m));
            if (!Arrays.equals(t.raw(4, "magic"), TRAILER_MAGIC)) {
                throw new ArchiveException("the trailer is missing or damaged: the archive is truncated or corrupt");
            }
            long trailerCount = t.u64("count");
            if (!Arrays.equals(t.raw(32, "checksum"), checksum)) {
                throw new ArchiveException("the checksum does not match: some byte of the archive changed");
            }
            if (n != h.count || trailerCount != h.count) {
                throw new ArchiveException("the header says " + h.count + " assertions, the trailer " + trailerCount
                        + ", and " + n + " were read: records are missing or extra");
            }
            if (!digest.equals(h.digest)) {
                throw new ArchiveException("the digest of the records read does not match the header's Merkle root");
            }
            if (sink != null && !batch.isEmpty()) {
                sink.accept(batch);
            }
            progress.progress(sink == null ? "verify" : "import", n, h.count);
            return new ArchiveSummary(h.count, h.digest, h.createdAt, h.filter, (h.flags & FLAG_DEFLATE) != 0, size);
        } catch (IOException e) {
            throw new ArchiveException("cannot read the archive " + archive + ": " + e.getMessage()
                    + " (a damaged compressed body reads as a format error)", e);
        }
    }

    /** The next record length, or -1 at the clean end of the records. */
    private static int readVarint(DataInputStream in, long recordsRead) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                if (shift == 0) {
                    return -1;
                }
                throw new ArchiveException("the length of record " + (recordsRead + 1) + " is cut short");
            }
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new ArchiveException("the length of record " + (recordsRead + 1) + " is malformed");
    }

    private static void deleteQuietly(Path tmp, IOException cause) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private record Header(int flags, long count, IdDigest digest, Instant createdAt, String filter) {
        static Header read(InputStream in, Path archive) throws IOException {
            byte[] fixed = in.readNBytes(4 + 1 + 1 + 8 + IdDigest.ENCODED_LENGTH + 8);
            ByteSource h = new ByteSource(fixed, (m, o) -> new ArchiveException("header of " + archive + ": " + m));
            if (!Arrays.equals(h.raw(4, "magic"), MAGIC)) {
                throw new ArchiveException(archive + " is not a StemeDB archive (bad magic)");
            }
            int version = h.u8("version");
            if (version != VERSION) {
                throw new ArchiveException(archive + " is archive format " + version + "; this StemeDB reads format "
                        + VERSION + "; upgrade StemeDB to import it");
            }
            int flags = h.u8("flags");
            if ((flags & ~FLAG_DEFLATE) != 0) {
                throw new ArchiveException(archive + " has unknown header flags 0x" + Integer.toHexString(flags));
            }
            long count = h.u64("count");
            IdDigest digest;
            try {
                digest = IdDigest.fromBytes(h.raw(IdDigest.ENCODED_LENGTH, "digest"));
            } catch (IllegalArgumentException e) {
                throw new ArchiveException("header of " + archive + ": " + e.getMessage());
            }
            Instant created = Instant.ofEpochMilli(h.u64("created"));
            int filterLength = readHeaderVarint(in);
            if (filterLength > 4096) {
                throw new ArchiveException("header of " + archive + ": the filter text is " + filterLength + " bytes, too long");
            }
            byte[] filterBytes = in.readNBytes(filterLength);
            String filter = new String(filterBytes, java.nio.charset.StandardCharsets.UTF_8);
            return new Header(flags, count, digest, created, filter);
        }

        private static int readHeaderVarint(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int b;
            do {
                b = in.read();
                if (b < 0) {
                    throw new ArchiveException("the archive header is cut short");
                }
                bytes.write(b);
            } while ((b & 0x80) != 0 && bytes.size() < 5);
            return new ByteSource(bytes.toByteArray(), (m, o) -> new ArchiveException("header: " + m)).length("filter length");
        }
    }

    /** Counts and hashes what passes through, and writes the trailer. */
    private static final class ChecksummedOutput extends OutputStream {
        private final OutputStream out;
        private final Blake3 hasher = Blake3.initHash();
        private long position;

        ChecksummedOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            hasher.update(b, off, len);
            position += len;
        }

        /** A view that a compressor may close without closing the file. */
        OutputStream unclosable() {
            ChecksummedOutput self = this;
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    self.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    self.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    self.flush();
                }
            };
        }

        void writeTrailer(long count) throws IOException {
            byte[] checksum = new byte[32];
            hasher.doFinalize(checksum);
            out.write(new ByteSink(TRAILER_BYTES).raw(TRAILER_MAGIC).u64(count).raw(checksum).toByteArray());
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Reads at most {@code limit} bytes (the part before the trailer), hashing them. */
    private static final class ChecksummedInput extends InputStream {
        private final InputStream in;
        private final long limit;
        private final Blake3 hasher = Blake3.initHash();
        private long position;

        ChecksummedInput(InputStream in, long limit) {
            this.in = in;
            this.limit = limit;
        }

        long position() {
            return position;
        }

        byte[] checksum() {
            byte[] out = new byte[32];
            hasher.doFinalize(out);
            return out;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= limit) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, limit - position));
            if (n > 0) {
                hasher.update(b, off, n);
                position += n;
            }
            return n;
        }
    }
}
