package io.stemedb.backup;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import org.apache.commons.codec.digest.Blake3;

/**
 * Assertions to archive, and an independent reader and writer of archive format 1 written from
 * docs/format.md ("Archive, format version 1"), so that tests can pin the layout byte by byte and
 * craft archives that are well-formed in every way but one.
 */
final class ArchiveFixtures {
    static final long NODE = 0x0102030405060708L;
    static final int HEADER_FIXED = 4 + 1 + 1 + 8 + 40 + 8;
    static final int TRAILER = 4 + 8 + 32;

    private ArchiveFixtures() {}

    /** {@code n} assertions: claims of varied value types and sources, and a retraction every tenth. */
    static List<Assertion> assertions(int n) {
        List<Assertion> out = new ArrayList<>(n);
        Claim last = null;
        for (int i = 0; out.size() < n; i++) {
            Hlc hlc = Hlc.of(1_700_000_000_000L + i * 1000L, i % 3, NODE);
            if (i % 10 == 9 && last != null) {
                out.add(Retraction.of(last.id(), "src-" + (i % 3), hlc, Map.of("reason", "test " + i)));
                continue;
            }
            Value v = switch (i % 4) {
                case 0 -> Value.integer(i);
                case 1 -> Value.text("value \u00e9\u4e16 " + i);
                case 2 -> Value.real(i / 7.0);
                default -> Value.bool(i % 8 == 3);
            };
            last = Claim.builder("subject-" + (i % 17), "pred-" + (i % 5), v).source("src-" + (i % 3)).hlc(hlc)
                    .confidence((i % 10) / 10.0).build();
            out.add(last);
        }
        return out;
    }

    static List<AssertionId> ids(List<? extends Assertion> assertions) {
        return assertions.stream().map(Assertion::id).toList();
    }

    static ArchiveSummary export(List<Assertion> assertions, Path file, boolean compress) {
        return Archive.export(assertions::iterator, file, "test filter", compress, ProgressListener.NONE);
    }

    /** A parsed archive: every field of the header and trailer, and the records. */
    record Parsed(byte[] magic, int version, int flags, long count, byte[] digest, long createdMillis, String filter,
            int headerLength, byte[] body, List<byte[]> records, byte[] trailerMagic, long trailerCount,
            byte[] checksum) {}

    /** Reads an archive by the documented layout, trusting nothing of Archive.java. */
    static Parsed parse(byte[] file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(file);
        byte[] magic = new byte[4];
        b.get(magic);
        int version = b.get() & 0xff;
        int flags = b.get() & 0xff;
        long count = b.getLong();
        byte[] digest = new byte[40];
        b.get(digest);
        long created = b.getLong();
        int filterLength = readVarint(b);
        byte[] filter = new byte[filterLength];
        b.get(filter);
        int headerLength = b.position();
        int bodyEnd = file.length - TRAILER;
        byte[] stored = java.util.Arrays.copyOfRange(file, headerLength, bodyEnd);
        byte[] body = (flags & 1) != 0 ? new InflaterInputStream(new java.io.ByteArrayInputStream(stored)).readAllBytes() : stored;
        List<byte[]> records = new ArrayList<>();
        ByteBuffer r = ByteBuffer.wrap(body);
        while (r.hasRemaining()) {
            byte[] record = new byte[readVarint(r)];
            r.get(record);
            records.add(record);
        }
        ByteBuffer t = ByteBuffer.wrap(file, bodyEnd, TRAILER);
        byte[] trailerMagic = new byte[4];
        t.get(trailerMagic);
        long trailerCount = t.getLong();
        byte[] checksum = new byte[32];
        t.get(checksum);
        return new Parsed(magic, version, flags, count, digest, created, new String(filter, StandardCharsets.UTF_8),
                headerLength, body, records, trailerMagic, trailerCount, checksum);
    }

    static int readVarint(ByteBuffer b) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xff;
            value |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return value;
            }
        }
    }

    static byte[] varint(int v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
        return out.toByteArray();
    }

    /** What to write into a crafted archive; every field can be set to anything. */
    static final class Craft {
        byte[] magic = {'S', 'T', 'M', 'A'};
        int version = 1;
        int flags = 0;
        long count;
        byte[] digest;
        long createdMillis = 1_700_000_000_000L;
        String filter = "crafted";
        /** The filter's bytes as written, when set: any bytes, valid UTF-8 or not. */
        byte[] rawFilter;
        List<byte[]> records = new ArrayList<>();
        byte[] trailerMagic = {'S', 'T', 'M', 'E'};
        Long trailerCount;
        /** Bytes between the (possibly compressed) records and the trailer, covered by the checksum. */
        byte[] afterBody = new byte[0];
        /** Corrupt the checksum on purpose; by default it is correct. */
        boolean badChecksum;

        Craft(List<? extends Assertion> assertions) {
            for (Assertion a : assertions) {
                records.add(a.canonicalBytes());
            }
            count = assertions.size();
            digest = IdDigest.of(ids(assertions)).toBytes();
        }

        byte[] bytes() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.write(magic);
            head.write(version);
            head.write(flags);
            head.write(ByteBuffer.allocate(8).putLong(count).array());
            head.write(digest);
            head.write(ByteBuffer.allocate(8).putLong(createdMillis).array());
            byte[] f = rawFilter != null ? rawFilter : filter.getBytes(StandardCharsets.UTF_8);
            head.write(varint(f.length));
            head.write(f);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (byte[] r : records) {
                body.write(varint(r.length));
                body.write(r);
            }
            byte[] bodyBytes = body.toByteArray();
            if ((flags & 1) != 0) {
                ByteArrayOutputStream z = new ByteArrayOutputStream();
                try (OutputStream d = new DeflaterOutputStream(z)) {
                    d.write(bodyBytes);
                }
                bodyBytes = z.toByteArray();
            }
            head.write(bodyBytes);
            head.write(afterBody);
            byte[] covered = head.toByteArray();
            byte[] checksum = Blake3.hash(covered);
            if (badChecksum) {
                checksum[0] ^= 1;
            }
            ByteBuffer trailer = ByteBuffer.allocate(TRAILER).put(trailerMagic)
                    .putLong(trailerCount == null ? count : trailerCount).put(checksum);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(covered);
            all.write(trailer.array());
            return all.toByteArray();
        }

        Path write(Path file) throws IOException {
            return Files.write(file, bytes());
        }
    }

    /** A sink that records every batch it is given. */
    static final class RecordingSink implements java.util.function.Consumer<List<Assertion>> {
        final List<Assertion> received = new ArrayList<>();
        int batches;

        @Override
        public void accept(List<Assertion> batch) {
            batches++;
            received.addAll(batch);
        }
    }

    static Instant millis(long ms) {
        return Instant.ofEpochMilli(ms);
    }
}
