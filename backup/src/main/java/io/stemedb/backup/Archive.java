package io.stemedb.backup;

import io.stemedb.crdt.IdDigest;
import io.stemedb.internal.DurableFiles;
import io.stemedb.model.Assertion;
import io.stemedb.model.ByteSink;
import io.stemedb.model.ByteSource;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.StemeException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;
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
    /** Magic, version, flags, count, digest, creation time: the header before the filter. */
    static final int HEADER_FIXED_BYTES = 4 + 1 + 1 + 8 + IdDigest.ENCODED_LENGTH + 8;
    /** The smallest archive: no records, an empty filter, uncompressed. */
    static final int MIN_BYTES = HEADER_FIXED_BYTES + 1 + TRAILER_BYTES;
    /** The longest filter text a header holds, in UTF-8 bytes. */
    static final int MAX_FILTER_BYTES = 4096;
    private static final int FLAG_DEFLATE = 1;
    private static final int PROGRESS_EVERY = 4096;
    private static final int IMPORT_BATCH = 1000;

    private Archive() {}

    /**
     * Writes an archive of the assertions {@code source} yields to {@code target}, replaced
     * atomically: the archive is written to a temporary file beside it, fsynced, and renamed over
     * it; on failure nothing is left behind. {@code source} is read once: the header's count and
     * digest are filled in after the records are written, and the checksum is computed by reading
     * the finished file back (sequential file I/O is far cheaper than a second pass over the
     * database).
     *
     * @param source the assertions, each once; {@link Supplier#get()} is called once
     * @param filter a human-readable description of what was selected, stored in the header (cut
     *     to {@value #MAX_FILTER_BYTES} UTF-8 bytes if longer)
     */
    public static ArchiveSummary export(Supplier<Iterator<Assertion>> source, Path target, String filter,
            boolean compress, ProgressListener progress) {
        filter = fitFilter(Objects.requireNonNull(filter, "filter"));
        Objects.requireNonNull(progress, "progress");
        // the header keeps milliseconds; the summary says what the header says
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            IdDigest digest = IdDigest.empty();
            long count = 0;
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // 1. the header, with the count and digest still zero, and the records
                OutputStream file = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                file.write(header(compress, 0, IdDigest.empty(), now, filter));
                OutputStream unclosable = new FilterOutputStream(file) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                };
                Deflater deflater = compress ? new Deflater() : null;
                try {
                    DeflaterOutputStream zlib = compress ? new DeflaterOutputStream(unclosable, deflater, 1 << 16) : null;
                    OutputStream body = compress ? zlib : unclosable;
                    for (Iterator<Assertion> it = source.get(); it.hasNext(); ) {
                        Assertion a = it.next();
                        byte[] record = a.canonicalBytes();
                        digest = digest.plus(a.id());
                        count++;
                        body.write(lengthPrefix(record.length));
                        body.write(record);
                        if (count % PROGRESS_EVERY == 0) {
                            progress.progress("export", count, -1);
                        }
                    }
                    if (zlib != null) {
                        zlib.finish();
                    }
                } finally {
                    if (deflater != null) {
                        deflater.end();
                    }
                }
                file.flush();
                // 2. the count and the digest, now known, into the header
                ByteBuffer fields = ByteBuffer.wrap(new ByteSink(48).u64(count).raw(digest.toBytes()).toByteArray());
                while (fields.hasRemaining()) {
                    channel.write(fields, COUNT_OFFSET + fields.position());
                }
                // 3. the checksum of everything so far, read back, and the trailer
                long covered = channel.size();
                Blake3 hasher = Blake3.initHash();
                ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
                for (long at = 0; at < covered; ) {
                    buffer.clear();
                    int n = channel.read(buffer, at);
                    if (n < 0) {
                        throw new EOFException("the archive being written shrank");
                    }
                    hasher.update(buffer.array(), 0, n);
                    at += n;
                }
                byte[] checksum = new byte[32];
                hasher.doFinalize(checksum);
                ByteBuffer trailer = ByteBuffer.wrap(new ByteSink(TRAILER_BYTES).raw(TRAILER_MAGIC).u64(count).raw(checksum)
                        .toByteArray());
                while (trailer.hasRemaining()) {
                    channel.write(trailer, covered + trailer.position());
                }
                // on disk before it takes the target's name: a crash never leaves a short archive there
                channel.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (parent != null) {
                DurableFiles.syncDirectory(parent);
            }
            progress.progress("export", count, count);
            return new ArchiveSummary(count, digest, now, filter, compress, Files.size(target));
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw new ArchiveException("cannot write the archive " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp, e);
            throw e;
        }
    }

    private static final int COUNT_OFFSET = 4 + 1 + 1;
    private static final byte[][] SMALL_LENGTHS = new byte[128][];

    static {
        for (int i = 0; i < SMALL_LENGTHS.length; i++) {
            SMALL_LENGTHS[i] = new byte[] {(byte) i};
        }
    }

    private static byte[] lengthPrefix(int length) {
        return length < SMALL_LENGTHS.length ? SMALL_LENGTHS[length] : new ByteSink(8).varint(length).toByteArray();
    }

    private static byte[] header(boolean compress, long count, IdDigest digest, Instant created, String filter) {
        return new ByteSink().raw(MAGIC).u8(VERSION).u8(compress ? FLAG_DEFLATE : 0).u64(count).raw(digest.toBytes())
                .u64(created.toEpochMilli()).string(filter).toByteArray();
    }

    /**
     * The filter text as the header stores it: at most {@value #MAX_FILTER_BYTES} UTF-8 bytes
     * (what readers accept), cut at a character boundary with a note of how much was left out.
     */
    static String fitFilter(String filter) {
        byte[] utf8 = filter.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_FILTER_BYTES) {
            return filter;
        }
        StringBuilder kept = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < filter.length(); ) {
            int cp = filter.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > MAX_FILTER_BYTES - 64) {
                break;
            }
            kept.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return kept + " ... (" + (utf8.length - bytes) + " more bytes)";
    }

    /**
     * Reads the whole archive and checks it: format, checksum, every record (strict decoding and
     * re-hashing), and the count and digest against the header and trailer.
     *
     * @throws ArchiveException naming the first problem found
     */
    public static ArchiveSummary verify(Path archive, ProgressListener progress) {
        try (FileChannel channel = openChannel(archive)) {
            return read(archive, channel, progress, null);
        } catch (IOException e) {
            throw cannotRead(archive, e);
        }
    }

    /**
     * Verifies the archive, then hands its assertions to {@code sink} in batches (for example a
     * database's merge). Nothing reaches the sink unless the whole archive verified. Both passes
     * read the same open file, so an archive replaced (renamed over) meanwhile does not mix in.
     */
    public static ArchiveSummary importInto(Path archive, Consumer<List<Assertion>> sink, ProgressListener progress) {
        Objects.requireNonNull(sink, "sink");
        try (FileChannel channel = openChannel(archive)) {
            ArchiveSummary summary = read(archive, channel, progress, null);
            read(archive, channel, (phase, done, total) -> progress.progress("import", done, total), sink);
            return summary;
        } catch (IOException e) {
            throw cannotRead(archive, e);
        }
    }

    private static FileChannel openChannel(Path archive) {
        try {
            return FileChannel.open(archive, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ArchiveException("there is no archive at " + archive + " (no such file)", e);
        } catch (IOException e) {
            throw cannotRead(archive, e);
        }
    }

    private static ArchiveException cannotRead(Path archive, IOException e) {
        return new ArchiveException("cannot read the archive " + archive + ": " + e, e);
    }

    private static byte[] readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException();
            }
        }
        return buffer.array();
    }

    private static ArchiveSummary read(Path archive, FileChannel channel, ProgressListener progress,
            Consumer<List<Assertion>> sink) throws IOException {
        long size = channel.size();
        if (size < MIN_BYTES) {
            throw new ArchiveException(archive + " is " + size + " bytes, too short to be a StemeDB archive (the "
                    + "smallest is " + MIN_BYTES + "): it is truncated, or not an archive");
        }
        if (!Arrays.equals(readAt(channel, 0, MAGIC.length), MAGIC)) {
            throw new ArchiveException(archive + " is not a StemeDB archive (bad magic at byte 0)");
        }
        long bodyEnd = size - TRAILER_BYTES;
        byte[] trailer = readAt(channel, bodyEnd, TRAILER_BYTES);
        ByteSource t = new ByteSource(trailer, (m, o) -> new ArchiveException("trailer: " + m));
        if (!Arrays.equals(t.raw(4, "magic"), TRAILER_MAGIC)) {
            int version = readAt(channel, MAGIC.length, 1)[0] & 0xff;
            if (version > VERSION) {
                throw new ArchiveException(archive + " says it is archive format " + version + ", and it does not end "
                        + "as format " + VERSION + " does: a newer StemeDB wrote it (upgrade StemeDB to import it), or it is "
                        + "damaged (if this version wrote it: use another copy, or export it again)");
            }
            throw new ArchiveException("the trailer (the last " + TRAILER_BYTES + " bytes) of " + archive + " is missing "
                    + "or damaged: the archive is truncated, has bytes appended after its end, or is corrupt");
        }
        long trailerCount = t.u64("count");
        byte[] trailerChecksum = t.raw(32, "checksum");

        channel.position(0);
        // not closed here: closing it would close the channel, which the caller owns
        InputStream raw = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
        ChecksummedInput in = new ChecksummedInput(raw, bodyEnd);
        Inflater[] inflater = {null};
        try {
            Body body = readBody(in, archive, inflater, progress, sink);
            if (!Arrays.equals(trailerChecksum, in.checksum())) {
                throw damaged(archive, null);
            }
            Header h = body.header;
            if (body.records != h.count || trailerCount != h.count) {
                throw new ArchiveException("the header says " + h.count + " assertions, the trailer " + trailerCount
                        + ", and " + body.records + " were read: records are missing or extra");
            }
            if (!body.digest.equals(h.digest)) {
                throw new ArchiveException("the digest of the records read does not match the header's Merkle root");
            }
            if (sink != null && !body.batch.isEmpty()) {
                sink.accept(body.batch);
            }
            progress.progress(sink == null ? "verify" : "import", body.records, h.count);
            return new ArchiveSummary(h.count, h.digest, h.createdAt, h.filter, body.compressed, size);
        } catch (Inconsistency e) {
            // Whether the archive is damaged or as its writer made it is for the checksum to say, not
            // for what the damage happens to look like: a flipped version, flags or length byte, or
            // two archives end to end, must not pass for a newer format.
            in.drain();
            if (Arrays.equals(trailerChecksum, in.checksum())) {
                throw new ArchiveException(e.ifIntact);
            }
            if (e.versionByte && Arrays.equals(trailerChecksum, checksumAsVersion1(channel, bodyEnd))) {
                throw damaged(archive, "the format version byte was changed to " + (readAt(channel, 4, 1)[0] & 0xff));
            }
            throw e.versionByte ? new ArchiveException(e.ifIntact + ", or it is damaged (if this version wrote it: use "
                    + "another copy, or export it again)") : damaged(archive, e.fact);
        } finally {
            if (inflater[0] != null) {
                inflater[0].end();
            }
        }
    }

    /** What the pass over the header and records found, for the checks that need the checksum first. */
    private record Body(Header header, boolean compressed, long records, IdDigest digest, List<Assertion> batch) {}

    /**
     * Reads the header and every record, handing full batches to {@code sink}.
     *
     * @throws Inconsistency for anything that does not read as the header announces
     */
    private static Body readBody(ChecksummedInput in, Path archive, Inflater[] inflater, ProgressListener progress,
            Consumer<List<Assertion>> sink) throws IOException {
        Header h = Header.read(in, archive);
        boolean compressed = (h.flags & FLAG_DEFLATE) != 0;
        if (compressed) {
            inflater[0] = new Inflater();
        }
        DataInputStream records = new DataInputStream(compressed ? new InflaterInputStream(in, inflater[0], 1 << 16) : in);
        IdDigest digest = IdDigest.empty();
        List<Assertion> batch = new ArrayList<>();
        long n = 0;
        while (true) {
            byte[] bytes;
            try {
                int length = readLength(records, n + 1);
                if (length < 0) {
                    break;
                }
                bytes = new byte[length];
                records.readFully(bytes);
            } catch (EOFException e) {
                throw beyond(n, h.count, "record " + (n + 1) + " is cut short: the archive is truncated");
            } catch (ZipException e) {
                throw beyond(n, h.count, "the compressed records are damaged at record " + (n + 1) + " (" + e.getMessage()
                        + "): the archive is corrupt");
            } catch (Inconsistency e) {
                throw beyond(n, h.count, e.ifIntact);
            }
            Assertion a;
            try {
                a = CanonicalCodec.decode(bytes);
            } catch (StemeException e) {
                throw beyond(n, h.count, "record " + (n + 1) + " is damaged: " + e.getMessage());
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
        long unread = in.remaining() + (compressed ? inflater[0].getRemaining() : 0);
        if (unread != 0) {
            throw new Inconsistency(unread + " bytes follow its " + n + " records (two archives end to end, or bytes "
                    + "appended)",
                    "the archive has " + unread + " unexpected bytes after its " + n + " records"
                    + (compressed ? " (after the end of the compressed stream)" : ""));
        }
        return new Body(h, compressed, n, digest, batch);
    }

    /**
     * A problem met while reading the header or the records: damage if the checksum does not
     * match (then {@code fact} says where it showed), otherwise {@code ifIntact}, the message for
     * an archive whose bytes are as its writer made them. Never leaves {@link #read}.
     */
    private static final class Inconsistency extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String fact;
        final String ifIntact;
        final boolean versionByte;

        Inconsistency(String fact, String ifIntact) {
            this(fact, ifIntact, false);
        }

        Inconsistency(String fact, String ifIntact, boolean versionByte) {
            super(ifIntact, null, false, false);
            this.fact = fact;
            this.ifIntact = ifIntact;
            this.versionByte = versionByte;
        }
    }

    private static ArchiveException damaged(Path archive, String fact) {
        return new ArchiveException(archive + " is damaged: the checksum does not match, so some of its bytes changed after "
                + "it was written" + (fact == null ? "" : " (the first sign: " + fact + ")")
                + "; use another copy (compare its size and b3sum with the source), or export it again");
    }

    /** The checksum the archive would have if its format version byte read 1. */
    private static byte[] checksumAsVersion1(FileChannel channel, long bodyEnd) throws IOException {
        Blake3 hasher = Blake3.initHash();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        for (long at = 0; at < bodyEnd; ) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), bodyEnd - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new EOFException("the archive shrank while it was read");
            }
            if (at <= 4 && 4 < at + n) {
                buffer.array()[(int) (4 - at)] = VERSION;
            }
            hasher.update(buffer.array(), 0, n);
            at += n;
        }
        byte[] checksum = new byte[32];
        hasher.doFinalize(checksum);
        return checksum;
    }

    /**
     * The problem reading record {@code n + 1}: when the header's count was already reached, the
     * real problem is that bytes follow the last record.
     */
    private static Inconsistency beyond(long n, long count, String message) {
        if (count >= 0 && n >= count) {
            return new Inconsistency("bytes follow the " + count + " records its header announces (two archives end to "
                    + "end, or bytes appended)", "the archive has unexpected bytes after the " + count + " records its header "
                    + "announces (" + message + "): bytes were appended to it, or it is damaged");
        }
        return new Inconsistency("record " + (n + 1) + " does not read", message);
    }

    /** The length of record {@code number}, or -1 at the clean end of the records. */
    private static int readLength(InputStream in, long number) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.read();
            if (b < 0) {
                if (shift == 0) {
                    return -1;
                }
                throw new Inconsistency("the length of record " + number + " is cut short",
                        "the length of record " + number + " is cut short: the archive is truncated");
            }
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (value > CanonicalCodec.MAX_RECORD_BYTES) {
                    throw new Inconsistency("record " + number + " claims " + value + " bytes", "record " + number
                            + " claims " + value + " bytes, more than any assertion; the archive is damaged");
                }
                return (int) value;
            }
        }
        throw new Inconsistency("the length of record " + number + " is malformed", "the length of record " + number
                + " is malformed (a varint longer than 5 bytes); the archive is damaged");
    }

    private static void deleteQuietly(Path tmp, Exception cause) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private record Header(int flags, long count, IdDigest digest, Instant createdAt, String filter) {
        static Header read(InputStream in, Path archive) throws IOException {
            byte[] fixed = in.readNBytes(HEADER_FIXED_BYTES);
            ByteSource h = new ByteSource(fixed, (m, o) -> new Inconsistency("the header does not read",
                    "header of " + archive + ": " + m));
            if (!Arrays.equals(h.raw(4, "magic"), MAGIC)) {
                throw new ArchiveException(archive + " is not a StemeDB archive (bad magic)");
            }
            int version = h.u8("version");
            if (version != VERSION) {
                throw new Inconsistency("the header says format " + version, archive + " is archive format " + version
                        + "; this StemeDB reads format " + VERSION + ": a newer StemeDB wrote it; upgrade StemeDB to import it",
                        true);
            }
            int flags = h.u8("flags");
            if ((flags & ~FLAG_DEFLATE) != 0) {
                throw new Inconsistency("the header flags read 0x" + Integer.toHexString(flags), archive
                        + " has header flags 0x" + Integer.toHexString(flags) + " that this StemeDB does not know: a newer "
                        + "StemeDB wrote it; upgrade StemeDB to import it");
            }
            long count = h.u64("count");
            IdDigest digest;
            try {
                digest = IdDigest.fromBytes(h.raw(IdDigest.ENCODED_LENGTH, "digest"));
            } catch (IllegalArgumentException e) {
                throw new Inconsistency("the header's digest does not read", "header of " + archive + ": " + e.getMessage());
            }
            Instant created = Instant.ofEpochMilli(h.u64("created"));
            int filterLength = readHeaderVarint(in);
            if (filterLength > MAX_FILTER_BYTES) {
                throw new Inconsistency("the header's filter length reads " + filterLength, "header of " + archive
                        + ": the filter text is " + filterLength + " bytes, too long");
            }
            byte[] filterBytes = in.readNBytes(filterLength);
            String filter;
            try {
                filter = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(filterBytes)).toString();
            } catch (CharacterCodingException e) {
                throw new Inconsistency("the header's filter text is not UTF-8", "header of " + archive
                        + ": the filter text is not well-formed UTF-8");
            }
            return new Header(flags, count, digest, created, filter);
        }

        private static int readHeaderVarint(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int b;
            do {
                b = in.read();
                if (b < 0) {
                    throw new Inconsistency("the header is cut short", "the archive header is cut short: the archive is truncated");
                }
                bytes.write(b);
            } while ((b & 0x80) != 0 && bytes.size() < 5);
            return new ByteSource(bytes.toByteArray(), (m, o) -> new Inconsistency("the header's filter length does not read",
                    "header: " + m)).length("filter length");
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

        /** How many bytes before the trailer are left to read. */
        long remaining() {
            return limit - position;
        }

        /** Reads (and hashes) everything left before the trailer. */
        void drain() throws IOException {
            byte[] buffer = new byte[1 << 16];
            while (read(buffer, 0, buffer.length) >= 0) {
                // hashing is the point
            }
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
