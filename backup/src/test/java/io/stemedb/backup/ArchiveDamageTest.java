package io.stemedb.backup;

import static io.stemedb.backup.ArchiveFixtures.assertions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.Assertion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kind of damage to an archive is caught by verify and by import, with a message that says
 * what is wrong, and import hands nothing to its sink. Small archives are damaged at every byte
 * and cut at every length; the crafted ones are well-formed in every way but one.
 */
class ArchiveDamageTest {
    @TempDir
    Path dir;

    /** Verify and import both refuse {@code file}; the import sink receives nothing. Returns the message. */
    private static String refused(Path file) {
        ArchiveException v = assertThrows(ArchiveException.class, () -> Archive.verify(file, ProgressListener.NONE));
        ArchiveFixtures.RecordingSink sink = new ArchiveFixtures.RecordingSink();
        ArchiveException i = assertThrows(ArchiveException.class, () -> Archive.importInto(file, sink, ProgressListener.NONE));
        assertEquals(0, sink.batches, "a damaged archive must hand nothing to the database");
        assertEquals(v.getMessage(), i.getMessage(), "import reports what verify reports");
        assertTrue(v.getMessage() != null && v.getMessage().length() > 20, "a message that says something: " + v.getMessage());
        return v.getMessage().toLowerCase(Locale.ROOT);
    }

    private static void assertMentions(String message, String... anyOf) {
        for (String word : anyOf) {
            if (message.contains(word)) {
                return;
            }
        }
        fail("the message should name the problem (one of " + Arrays.toString(anyOf) + "): " + message);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void flippingAnyBitOfAnyByteIsDetected(boolean compress) throws Exception {
        Path file = dir.resolve("good.stma");
        ArchiveFixtures.export(assertions(12), file, compress);
        byte[] good = Files.readAllBytes(file);
        Path damaged = dir.resolve("damaged.stma");
        for (int pos = 0; pos < good.length; pos++) {
            for (int bit : new int[] {0x01, 0x80, 0xff}) {
                byte[] bad = good.clone();
                bad[pos] ^= (byte) bit;
                Files.write(damaged, bad);
                try {
                    refused(damaged);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("flipping bits " + Integer.toHexString(bit) + " of byte " + pos + " of "
                            + good.length + " was not refused properly: " + e, e);
                }
            }
        }
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void flipsInTheHeaderBodyAndTrailerAreNamed(boolean compress) throws Exception {
        Path file = dir.resolve("good.stma");
        ArchiveFixtures.export(assertions(400), file, compress);
        byte[] good = Files.readAllBytes(file);
        int headerEnd = ArchiveFixtures.parse(good).headerLength();
        // header: the magic, the version, the flags, the count, the digest, the creation time
        assertMentions(flip(good, 0), "not a stemedb archive", "magic");
        assertMentions(flip(good, 4), "format", "version");
        String flags = flip(good, 5, 0x02);
        assertMentions(flags, "flags");
        assertMentions(flip(good, 6 + 7), "checksum");
        assertMentions(flip(good, 20), "checksum");
        assertMentions(flip(good, 56), "checksum");
        // the body: a record changed in place
        String middle = flip(good, headerEnd + (good.length - headerEnd - ArchiveFixtures.TRAILER) / 2);
        assertMentions(middle, "checksum", "record", "damaged");
        // the trailer: magic, count, checksum
        int trailer = good.length - ArchiveFixtures.TRAILER;
        assertMentions(flip(good, trailer), "trailer");
        assertMentions(flip(good, trailer + 11), "trailer", "records are missing or extra");
        assertMentions(flip(good, good.length - 1), "checksum");
    }

    private String flip(byte[] good, int pos) throws Exception {
        return flip(good, pos, 0x01);
    }

    private String flip(byte[] good, int pos, int mask) throws Exception {
        byte[] bad = good.clone();
        bad[pos] ^= (byte) mask;
        return refused(write("flip-" + pos + ".stma", bad));
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void everyTruncationIsDetectedAndCalledOne(boolean compress) throws Exception {
        Path file = dir.resolve("good.stma");
        ArchiveFixtures.export(assertions(12), file, compress);
        byte[] good = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.stma");
        for (int length = 0; length < good.length; length++) {
            Files.write(cut, Arrays.copyOf(good, length));
            String message;
            try {
                message = refused(cut);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("cutting at " + length + " of " + good.length + " was not refused properly: " + e, e);
            }
            assertMentions(message, "truncated");
        }
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void truncationsOfALargeArchiveAreCalledTruncations(boolean compress) throws Exception {
        Path file = dir.resolve("good.stma");
        ArchiveFixtures.export(assertions(3000), file, compress);
        byte[] good = Files.readAllBytes(file);
        for (int length : new int[] {100, good.length / 3, good.length / 2, good.length - 45, good.length - 44,
                good.length - 20, good.length - 1}) {
            assertMentions(refused(write("cut-" + length + ".stma", Arrays.copyOf(good, length))), "truncated");
        }
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void appendedBytesAreDetected(boolean compress) throws Exception {
        Path file = dir.resolve("good.stma");
        ArchiveFixtures.export(assertions(300), file, compress);
        byte[] good = Files.readAllBytes(file);
        for (int extra : new int[] {1, 7, 44, 45, 1000}) {
            byte[] bad = Arrays.copyOf(good, good.length + extra);
            for (int i = good.length; i < bad.length; i++) {
                bad[i] = (byte) (i * 31 + 7);
            }
            assertMentions(refused(write("garbage-" + extra + ".stma", bad)), "after", "trailer", "truncated");
        }
        // the archive written twice over: the first copy's trailer is where records should continue
        byte[] twice = Arrays.copyOf(good, good.length * 2);
        System.arraycopy(good, 0, twice, good.length, good.length);
        refused(write("twice.stma", twice));
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void aDroppedRecordIsDetectedEvenWithAValidChecksum(boolean compress) throws Exception {
        List<Assertion> in = assertions(100);
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
        craft.flags = compress ? 1 : 0;
        craft.records.remove(41);
        assertMentions(refused(craft.write(dir.resolve("dropped.stma"))), "100 assertions", "missing");
        // the trailer count adjusted too: the header and the Merkle root still disagree
        craft.trailerCount = 99L;
        assertMentions(refused(craft.write(dir.resolve("dropped2.stma"))), "missing or extra");
        // the header count adjusted too: only the Merkle root is left to tell
        craft.count = 99;
        assertMentions(refused(craft.write(dir.resolve("dropped3.stma"))), "merkle root", "digest");
    }

    @Test
    void aDroppedRecordWithTheOriginalTrailerIsDetected() throws Exception {
        Path file = dir.resolve("good.stma");
        List<Assertion> in = assertions(50);
        ArchiveFixtures.export(in, file, false);
        byte[] good = Files.readAllBytes(file);
        ArchiveFixtures.Parsed p = ArchiveFixtures.parse(good);
        // cut record 10 (its length varint and its bytes) out of the file, keeping everything else
        int offset = p.headerLength();
        for (int i = 0; i < 9; i++) {
            byte[] r = p.records().get(i);
            offset += ArchiveFixtures.varint(r.length).length + r.length;
        }
        int length = ArchiveFixtures.varint(p.records().get(9).length).length + p.records().get(9).length;
        byte[] bad = new byte[good.length - length];
        System.arraycopy(good, 0, bad, 0, offset);
        System.arraycopy(good, offset + length, bad, offset, good.length - offset - length);
        assertMentions(refused(write("dropped.stma", bad)), "checksum");
    }

    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void bytesBetweenTheRecordsAndTheTrailerAreRefusedEvenWithAValidChecksum(boolean compress) throws Exception {
        for (byte[] junk : new byte[][] {{0}, {1, 2, 3}, new byte[700]}) {
            ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(assertions(40));
            craft.flags = compress ? 1 : 0;
            craft.afterBody = junk;
            assertMentions(refused(craft.write(dir.resolve("junk.stma"))), "unexpected bytes");
        }
    }

    @Test
    void anExtraOrDuplicatedRecordIsDetected() throws Exception {
        List<Assertion> in = assertions(20);
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
        craft.records.add(craft.records.get(3));
        assertMentions(refused(craft.write(dir.resolve("dup.stma"))), "missing or extra");
        craft.count = 21;
        craft.trailerCount = 21L;
        assertMentions(refused(craft.write(dir.resolve("dup2.stma"))), "merkle root", "digest");
    }

    @Test
    void aRecordThatDoesNotDecodeIsNamedByNumber() throws Exception {
        List<Assertion> in = assertions(20);
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
        byte[] seventh = craft.records.get(6).clone();
        seventh[0] = 9; // the canonical version byte
        craft.records.set(6, seventh);
        assertMentions(refused(craft.write(dir.resolve("bad7.stma"))), "record 7 is damaged");
        craft.records.set(6, Arrays.copyOf(in.get(6).canonicalBytes(), in.get(6).canonicalBytes().length + 1));
        assertMentions(refused(craft.write(dir.resolve("long7.stma"))), "record 7");
    }

    @Test
    void aRecordLengthBeyondAnyAssertionIsNamed() throws Exception {
        List<Assertion> in = assertions(5);
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
        byte[] bytes = craft.bytes();
        int at = ArchiveFixtures.parse(bytes).headerLength();
        int firstLength = ArchiveFixtures.varint(in.get(0).canonicalBytes().length).length;
        // replace record 1's length with the largest 5-byte varints: 2^31-1 and values that overflow an int
        for (byte[] length : new byte[][] {
                {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07},
                {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
                {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f},
                {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08},
                {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x8f}}) {
            byte[] bad = new byte[bytes.length - firstLength + length.length];
            System.arraycopy(bytes, 0, bad, 0, at);
            System.arraycopy(length, 0, bad, at, length.length);
            System.arraycopy(bytes, at + firstLength, bad, at + length.length, bytes.length - at - firstLength);
            assertMentions(refused(write("len.stma", bad)), "record 1");
        }
    }

    @Test
    void headerFieldsThatDisagreeWithTheRecordsAreNamed() throws Exception {
        List<Assertion> in = assertions(30);
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
        craft.digest = IdDigest.of(ArchiveFixtures.ids(in.subList(1, 30))).plus(IdDigest.of(ArchiveFixtures.ids(in.subList(0, 1))))
                .toBytes();
        assertEquals(30, Archive.verify(craft.write(dir.resolve("same.stma")), ProgressListener.NONE).count(),
                "the digest of a set does not depend on order");
        byte[] digest = craft.digest.clone();
        digest[5] ^= 1;
        craft.digest = digest;
        assertMentions(refused(craft.write(dir.resolve("digest.stma"))), "merkle root");

        craft = new ArchiveFixtures.Craft(in);
        craft.version = 2;
        assertMentions(refused(craft.write(dir.resolve("v2.stma"))), "format 2");
        craft = new ArchiveFixtures.Craft(in);
        craft.flags = 0x04;
        assertMentions(refused(craft.write(dir.resolve("flags.stma"))), "flags");
        craft = new ArchiveFixtures.Craft(in);
        craft.magic = new byte[] {'S', 'T', 'M', 'B'};
        assertMentions(refused(craft.write(dir.resolve("magic.stma"))), "not a stemedb archive");
        craft = new ArchiveFixtures.Craft(in);
        craft.trailerMagic = new byte[] {'S', 'T', 'M', 'X'};
        assertMentions(refused(craft.write(dir.resolve("tmagic.stma"))), "trailer");
        craft = new ArchiveFixtures.Craft(in);
        craft.badChecksum = true;
        assertMentions(refused(craft.write(dir.resolve("sum.stma"))), "checksum");
        craft = new ArchiveFixtures.Craft(in);
        craft.filter = "x".repeat(5000);
        assertMentions(refused(craft.write(dir.resolve("filter.stma"))), "filter", "header");
        craft = new ArchiveFixtures.Craft(in);
        craft.count = -1;
        assertMentions(refused(craft.write(dir.resolve("count.stma"))), "missing or extra", "header");
    }

    @Test
    void aCompressedFlagOnAnUncompressedBodyAndTheReverseAreRefused() throws Exception {
        List<Assertion> in = assertions(30);
        for (int flags : new int[] {0, 1}) {
            ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
            craft.flags = flags;
            byte[] bytes = craft.bytes();
            bytes[5] ^= 1;
            // re-seal the checksum, so that only the body's form is wrong
            byte[] covered = Arrays.copyOf(bytes, bytes.length - ArchiveFixtures.TRAILER);
            System.arraycopy(org.apache.commons.codec.digest.Blake3.hash(covered), 0, bytes, bytes.length - 32, 32);
            refused(write("swapped-" + flags + ".stma", bytes));
        }
    }

    @Test
    void damageFoundLateStillStoresNothing() throws Exception {
        // the last record is bad: verify reads 5,999 good records first, and the sink must still get none
        List<Assertion> in = assertions(6000);
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(in);
        byte[] last = craft.records.get(5999).clone();
        last[last.length - 1] ^= 0x55;
        craft.records.set(5999, last);
        List<String> phases = new ArrayList<>();
        Path file = craft.write(dir.resolve("late.stma"));
        ArchiveFixtures.RecordingSink sink = new ArchiveFixtures.RecordingSink();
        assertThrows(ArchiveException.class, () -> Archive.importInto(file, sink, (p, d, t) -> phases.add(p)));
        assertEquals(0, sink.batches);
        assertTrue(phases.contains("verify") && !phases.contains("import"), phases.toString());
    }

    /**
     * Damage that happens to look like something a newer StemeDB could have written (an unknown
     * version or flag, a record that does not decode, two archives end to end) is called damage,
     * with no advice to upgrade, because the checksum says the bytes changed; only an archive whose
     * checksum holds and whose version or flags really say newer is sent to an upgrade.
     */
    @ParameterizedTest(name = "compress={0}")
    @ValueSource(booleans = {false, true})
    void damageThatLooksNewerIsCalledDamage(boolean compress) throws Exception {
        Path file = dir.resolve("good.stma");
        ArchiveFixtures.export(assertions(60), file, compress);
        byte[] good = Files.readAllBytes(file);
        for (int version : new int[] {0, 2, 3, 9, 0x81, 0xff}) {
            assertDamagedNotNewer(flipTo(good, 4, version), "version byte " + version);
        }
        for (int flags : new int[] {2, 3, 0x10, 0x80, 0xff}) {
            assertDamagedNotNewer(flipTo(good, 5, flags ^ (compress ? 1 : 0)), "flags " + flags);
        }
        // every byte of every record's length (uncompressed: the lengths are in the file as they are)
        if (!compress) {
            ArchiveFixtures.Parsed p = ArchiveFixtures.parse(good);
            int offset = p.headerLength();
            for (byte[] r : p.records()) {
                for (int mask : new int[] {0x01, 0x40, 0x80}) {
                    byte[] bad = good.clone();
                    bad[offset] ^= (byte) mask;
                    assertDamagedNotNewer(refused(write("len.stma", bad)), "record length at " + offset + " ^ " + mask);
                }
                offset += ArchiveFixtures.varint(r.length).length + r.length;
            }
        }
        Path other = dir.resolve("other.stma");
        ArchiveFixtures.export(assertions(5), other, compress);
        byte[] second = Files.readAllBytes(other);
        byte[] both = Arrays.copyOf(good, good.length + second.length);
        System.arraycopy(second, 0, both, good.length, second.length);
        String concatenated = refused(write("both.stma", both));
        assertDamagedNotNewer(concatenated, "two archives end to end");
        assertMentions(concatenated, "end to end");
    }

    private String flipTo(byte[] good, int pos, int value) throws Exception {
        byte[] bad = good.clone();
        bad[pos] = (byte) value;
        return refused(write("set-" + pos + ".stma", bad));
    }

    private static void assertDamagedNotNewer(String message, String what) {
        assertTrue(message.contains("damaged"), what + ": should say damaged: " + message);
        assertFalse(message.contains("upgrade") || message.contains("newer"), what + ": should not send to an upgrade: " + message);
        assertMentions(message, "another copy", "export it again");
    }

    @Test
    void aNewerVersionOrFlagWithAValidChecksumIsSentToAnUpgrade() throws Exception {
        for (int version : new int[] {2, 7}) {
            ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(assertions(10));
            craft.version = version;
            String message = refused(craft.write(dir.resolve("v.stma")));
            assertTrue(message.contains("format " + version) && message.contains("upgrade"), message);
            assertFalse(message.contains("damaged"), message);
        }
        ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(assertions(10));
        craft.flags = 0x04;
        String message = refused(craft.write(dir.resolve("f.stma")));
        assertTrue(message.contains("flags") && message.contains("upgrade"), message);
    }

    @Test
    void aFilterTextThatIsNotUtf8IsRefused() throws Exception {
        for (byte[] bad : new byte[][] {{(byte) 0xc0, (byte) 0xaf}, {(byte) 0xc0, (byte) 0x80}, {'a', (byte) 0xff},
                {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}}) {
            ArchiveFixtures.Craft craft = new ArchiveFixtures.Craft(assertions(3));
            craft.rawFilter = bad;
            assertMentions(refused(craft.write(dir.resolve("utf8.stma"))), "utf-8");
        }
    }
}
