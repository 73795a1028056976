package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The canonical encoding against bytes written out by hand from docs/format.md, and the decoder
 * against one malformed record per rule.
 */
class CanonicalCodecTest {

    // ---- hand-written records (from the spec, not from the codec) ----

    /** The worked example of docs/format.md, field by field. */
    private static final String[] WORKED_EXAMPLE = {
        "01",                      // format version 1
        "01",                      // kind: claim
        "04", "61636d65",          // subject "acme"
        "03", "63656f",            // predicate "ceo"
        "01", "05", "416c696365",  // value: text "Alice"
        "02", "6872",              // source "hr"
        "0000018bcfe56800",        // hlc physical 1700000000000
        "00000003",                // hlc logical 3
        "00000000000000ff",        // hlc node 0xff
        "01",                      // flags: confidence
        "3feccccccccccccd",        // confidence 0.9
        "01",                      // metadata count 1
        "02", "6576",              // key "ev"
        "04", "31302d4b",          // value "10-K"
    };
    private static final String WORKED_EXAMPLE_ID = "3a2ac5553312331924159e983389040a7773135ed3c1d7aec5440fb009a17149";

    private static final String HLC = "0000018bcfe56800" + "00000003" + "00000000000000ff";
    private static final String SUBJECT = "04" + "61636d65";
    private static final String TEXT_VALUE = "01" + "05" + "416c696365";
    private static final String NO_FLAGS = "00";
    private static final String NO_METADATA = "00";

    /** A claim record acme.ceo = value by hr at HLC, with the given parts. */
    private static byte[] claim(String subject, String value, String flagsAndOptionals, String metadata) {
        return hex("01", "01", subject, "03" + "63656f", value, "02" + "6872", HLC, flagsAndOptionals, metadata);
    }

    private static byte[] claimWithValue(String value) {
        return claim(SUBJECT, value, NO_FLAGS, NO_METADATA);
    }

    private static byte[] claimWithFlags(String flagsAndOptionals) {
        return claim(SUBJECT, TEXT_VALUE, flagsAndOptionals, NO_METADATA);
    }

    private static byte[] claimWithMetadata(String metadata) {
        return claim(SUBJECT, TEXT_VALUE, NO_FLAGS, metadata);
    }

    private static byte[] hex(String... parts) {
        return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
    }

    private static Claim workedExample() {
        return Claim.builder("acme", "ceo", Value.text("Alice"))
                .source("hr")
                .hlc(Hlc.of(1_700_000_000_000L, 3, 0xffL))
                .confidence(0.9)
                .metadata("ev", "10-K")
                .build();
    }

    // ---- the encoding ----

    @Test
    void theWorkedExampleEncodesToTheBytesOfTheSpec() {
        byte[] expected = hex(WORKED_EXAMPLE);
        assertEquals(59, expected.length);
        Claim c = workedExample();
        assertArrayEquals(expected, CanonicalCodec.encode(c));
        assertArrayEquals(expected, c.canonicalBytes());
        assertEquals(WORKED_EXAMPLE_ID, c.id().toString());
        assertEquals(c, CanonicalCodec.decode(expected));
        assertEquals(c, CanonicalCodec.decodeVerified(AssertionId.parse(WORKED_EXAMPLE_ID), expected));
    }

    @Test
    void aRetractionEncodesToTheBytesOfTheSpec() {
        Retraction r = Retraction.of(AssertionId.parse(WORKED_EXAMPLE_ID), "hr", Hlc.of(1_700_000_000_000L, 3, 0xffL),
                Map.of("why", "typo"));
        byte[] expected = hex(
                "01",                   // version
                "02",                   // kind: retraction
                WORKED_EXAMPLE_ID,      // target, 32 raw bytes
                "02", "6872",           // source "hr"
                HLC,                    // hlc
                "01", "03", "776879", "04", "7479706f"); // metadata {"why": "typo"}
        assertArrayEquals(expected, r.canonicalBytes());
        assertEquals(r, CanonicalCodec.decode(expected));
        assertEquals(AssertionId.hashOf(expected), r.id());
    }

    @Test
    void everyOptionalFieldFollowsTheFlagsInOrder() {
        Claim c = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr").hlc(Hlc.of(1_700_000_000_000L, 3, 0xffL))
                .confidence(0.5)
                .validFrom(Instant.ofEpochSecond(-1, 500_000_000))
                .validTo(Instant.ofEpochSecond(1, 1))
                .build();
        byte[] expected = claimWithFlags("07"
                + "3fe0000000000000"                       // confidence 0.5
                + "ffffffffffffffff" + "1dcd6500"          // validFrom: seconds -1, nanos 500000000
                + "0000000000000001" + "00000001");        // validTo: seconds 1, nanos 1
        assertArrayEquals(expected, c.canonicalBytes());
        assertEquals(c, CanonicalCodec.decode(expected));
    }

    @Test
    void valuePayloadsAreAsSpecified() {
        assertValue(Value.integer(-2), "02" + "fffffffffffffffe");
        assertValue(Value.real(-0.0), "03" + "0000000000000000");
        assertValue(Value.real(Double.NEGATIVE_INFINITY), "03" + "fff0000000000000");
        assertValue(Value.bool(true), "04" + "01");
        assertValue(Value.bool(false), "04" + "00");
        assertValue(Value.bytes(new byte[] {(byte) 0xca, (byte) 0xfe}), "05" + "02" + "cafe");
        assertValue(Value.bytes(new byte[0]), "05" + "00");
        assertValue(Value.instant(Instant.ofEpochSecond(1_700_000_000L, 123_456_789)), "06" + "000000006553f100" + "075bcd15");
        assertValue(Value.ref("x"), "07" + "01" + "78");
        assertValue(Value.text(""), "01" + "00");
        assertValue(Value.text("\u00e9\ud83d\ude00"), "01" + "06" + "c3a9" + "f09f9880");
        byte[] big = new byte[200];
        assertValue(Value.bytes(big), "05" + "c801" + "00".repeat(200));
    }

    private static void assertValue(Value v, String encoded) {
        Claim c = Claim.builder("acme", "ceo", v).source("hr").hlc(Hlc.of(1_700_000_000_000L, 3, 0xffL)).build();
        assertArrayEquals(claimWithValue(encoded), c.canonicalBytes(), v.toString());
        assertArrayEquals(hex(encoded), CanonicalCodec.encodeValue(v), "encodeValue " + v);
    }

    @Test
    void metadataIsSortedByUtf8BytesNotUtf16() {
        // inserted emoji first; U+FF61 (ef bd a1) sorts before U+1F600 (f0 9f 98 80) in UTF-8 byte order
        Claim c = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr").hlc(Hlc.of(1_700_000_000_000L, 3, 0xffL))
                .metadata("\ud83d\ude00", "1").metadata("\uff61", "2").metadata("b", "3")
                .build();
        byte[] expected = claimWithMetadata("03" + "01" + "62" + "01" + "33" + "03" + "efbda1" + "01" + "32"
                + "04" + "f09f9880" + "01" + "31");
        assertArrayEquals(expected, c.canonicalBytes());
    }

    @Test
    void theHandBuiltBaseRecordsAreValid() {
        // so that every rejection below is caused by its one change
        CanonicalCodec.decode(claimWithValue(TEXT_VALUE));
        CanonicalCodec.decode(claimWithFlags("00"));
        CanonicalCodec.decode(claimWithMetadata("02" + "01" + "61" + "01" + "31" + "01" + "62" + "01" + "32"));
        CanonicalCodec.decode(claimWithValue("04" + "01"));
        CanonicalCodec.decode(claimWithValue("06" + "0000000000000000" + "3b9ac9ff"));
        CanonicalCodec.decode(claimWithValue("03" + "3ff0000000000000"));
        CanonicalCodec.decode(claim("05" + "61636d6565", TEXT_VALUE, NO_FLAGS, NO_METADATA));
    }

    // ---- what decode refuses ----

    @Test
    void truncatedAtEveryLength() {
        for (byte[] record : new byte[][] {
                hex(WORKED_EXAMPLE),
                CanonicalCodec.encode(workedExample().toBuilder().validFrom(Instant.EPOCH).validTo(Instant.MAX).build()),
                CanonicalCodec.encode(Retraction.of(AssertionId.parse(WORKED_EXAMPLE_ID), "hr", Hlc.of(1, 2, 3), Map.of("k", "v"))),
                claimWithValue("05" + "03" + "010203"),
                claimWithValue("06" + "0000000000000000" + "00000000")}) {
            for (int n = 0; n < record.length; n++) {
                byte[] prefix = Arrays.copyOf(record, n);
                CanonicalCodec.MalformedRecordException e = malformed(() -> CanonicalCodec.decode(prefix), "truncated");
                assertTrue(e.getMessage().contains("remain"), e.getMessage());
                assertTrue(e.offset() >= 0 && e.offset() <= n, "offset " + e.offset() + " for length " + n);
            }
        }
    }

    @Test
    void trailingByte() {
        byte[] record = hex(WORKED_EXAMPLE);
        byte[] longer = Arrays.copyOf(record, record.length + 1);
        CanonicalCodec.MalformedRecordException e = malformed(() -> CanonicalCodec.decode(longer), "1 trailing bytes");
        assertEquals(record.length, e.offset());
    }

    @Test
    void formatVersion2() {
        byte[] record = hex(WORKED_EXAMPLE);
        record[0] = 2;
        CanonicalCodec.MalformedRecordException e = malformed(() -> CanonicalCodec.decode(record), "format version 2");
        assertTrue(e.getMessage().contains("upgrade"), e.getMessage());
        assertEquals(0, e.offset());
        record[0] = 0;
        malformed(() -> CanonicalCodec.decode(record), "format version 0");
    }

    @Test
    void unknownKind() {
        byte[] record = hex(WORKED_EXAMPLE);
        for (int kind : new int[] {0x00, 0x04, 0xff}) {
            record[1] = (byte) kind;
            CanonicalCodec.MalformedRecordException e =
                    malformed(() -> CanonicalCodec.decode(record), "unknown kind 0x" + Integer.toHexString(kind));
            assertEquals(1, e.offset());
        }
    }

    /** The subject-scope erasure of docs/format.md, byte by byte. */
    private static final String ERASURE_EXAMPLE = "01030209706572736f6e3a34320c707269766163792d7465616d0000018bcfee8fc0"
            + "000000000102030405060708136572617375726520726571756573742023343200";

    @Test
    void theErasureExampleOfTheFormatSpecification() {
        Erasure e = Erasure.of(Erasure.Scope.subject("person:42"), "privacy-team", Hlc.of(1700000600000L, 0, 0x0102030405060708L),
                "erasure request #42", null);
        assertArrayEquals(hex(ERASURE_EXAMPLE), e.canonicalBytes());
        assertEquals("1cbd20223bae51063ae7934aebb9737d224ddd6b8ccc53eaad6f7cbc00b54717", e.id().toString());
        assertEquals(e, CanonicalCodec.decode(hex(ERASURE_EXAMPLE)));
    }

    @Test
    void anErasureWithAnUnknownScopeKindIsRefused() {
        byte[] record = hex(ERASURE_EXAMPLE);
        for (int kind : new int[] {0x00, 0x05, 0xff}) {
            record[2] = (byte) kind;
            CanonicalCodec.MalformedRecordException e =
                    malformed(() -> CanonicalCodec.decode(record), "unknown erasure scope kind 0x" + Integer.toHexString(kind));
            assertEquals(2, e.offset());
        }
    }

    @Test
    void anErasureListsItsIdsAscendingOnceEachAndAtMostTheLimit() {
        AssertionId low = AssertionId.fromBytes(new byte[32]);
        byte[] highBytes = new byte[32];
        Arrays.fill(highBytes, (byte) 0xff);
        AssertionId high = AssertionId.fromBytes(highBytes);
        Erasure e = Erasure.of(Erasure.Scope.ids(List.of(high, low, high)), "dpo", Hlc.of(1, 0, 1), "r", null);
        assertEquals(List.of(low, high), e.scope().targets());
        byte[] record = e.canonicalBytes();
        // swap the two ids: the same set out of order is not canonical
        byte[] swapped = record.clone();
        System.arraycopy(record, 4, swapped, 36, 32);
        System.arraycopy(record, 36, swapped, 4, 32);
        Assertion.InvalidAssertionException invalid = assertThrows(Assertion.InvalidAssertionException.class,
                () -> CanonicalCodec.decode(swapped));
        assertEquals("scope", invalid.field());
        byte[] withCount = new byte[record.length + 1];
        System.arraycopy(record, 0, withCount, 0, 3);
        withCount[3] = (byte) 0x81; // 1025 as a varint: 81 08
        withCount[4] = 0x08;
        System.arraycopy(record, 4, withCount, 5, record.length - 4);
        malformed(() -> CanonicalCodec.decode(withCount), "more than 1024");
        assertThrows(Assertion.InvalidAssertionException.class, () -> Erasure.Scope.ids(List.of()));
        List<AssertionId> many = new java.util.ArrayList<>();
        for (int i = 0; i <= Erasure.MAX_TARGETS; i++) {
            byte[] b = new byte[32];
            b[0] = (byte) (i >> 8);
            b[1] = (byte) i;
            many.add(AssertionId.fromBytes(b));
        }
        assertThrows(Assertion.InvalidAssertionException.class, () -> Erasure.Scope.ids(many));
        assertEquals(Erasure.MAX_TARGETS, Erasure.Scope.ids(many.subList(0, Erasure.MAX_TARGETS)).targets().size());
    }

    @Test
    void anErasureNeedsAReason() {
        for (String reason : new String[] {null, "", "x".repeat(Erasure.MAX_REASON_BYTES + 1), "\ud800"}) {
            Assertion.InvalidAssertionException e = assertThrows(Assertion.InvalidAssertionException.class,
                    () -> Erasure.of(Erasure.Scope.subject("s"), "dpo", Hlc.of(1, 0, 1), reason, null));
            assertEquals("reason", e.field());
        }
    }

    @Test
    void aScopeCoversClaimsRecordedStrictlyBeforeTheErasureOnly() {
        Hlc at = Hlc.of(1000, 5, 7);
        Erasure bySubject = Erasure.of(Erasure.Scope.subject("s"), "dpo", at, "r", null);
        Erasure byFact = Erasure.of(Erasure.Scope.fact("s", "p"), "dpo", at, "r", null);
        Erasure bySource = Erasure.of(Erasure.Scope.bySourceAbout("crm", "s"), "dpo", at, "r", null);
        Claim before = Claim.builder("s", "p", Value.integer(1)).source("crm").hlc(Hlc.of(1000, 5, 6)).build();
        Claim same = Claim.builder("s", "p", Value.integer(1)).source("crm").hlc(at).build();
        Claim after = Claim.builder("s", "p", Value.integer(1)).source("crm").hlc(Hlc.of(1000, 6, 0)).build();
        Claim otherPredicate = Claim.builder("s", "q", Value.integer(1)).source("crm").hlc(Hlc.of(1, 0, 0)).build();
        Claim otherSource = Claim.builder("s", "p", Value.integer(1)).source("hr").hlc(Hlc.of(1, 0, 0)).build();
        for (Erasure e : List.of(bySubject, byFact, bySource)) {
            assertTrue(e.covers(before), e.toString());
            assertFalse(e.covers(same), e.toString());
            assertFalse(e.covers(after), e.toString());
        }
        assertTrue(bySubject.covers(otherPredicate));
        assertFalse(byFact.covers(otherPredicate));
        assertFalse(bySource.covers(otherSource));
        Erasure byId = Erasure.of(Erasure.Scope.ids(List.of(after.id())), "dpo", at, "r", null);
        assertTrue(byId.covers(after), "an id list has no time bound");
        assertFalse(byId.covers(before));
    }

    @Test
    void unknownValueTag() {
        for (String tag : new String[] {"00", "08", "ff"}) {
            CanonicalCodec.MalformedRecordException e = malformed(
                    () -> CanonicalCodec.decode(claimWithValue(tag + "05416c696365")),
                    "unknown value type tag 0x" + Integer.toHexString(Integer.parseInt(tag, 16)));
            assertEquals(11, e.offset());
        }
    }

    @Test
    void unknownFlagBit() {
        for (int bit = 3; bit < 8; bit++) {
            String flags = String.format("%02x", 1 << bit);
            CanonicalCodec.MalformedRecordException e = malformed(() -> CanonicalCodec.decode(claimWithFlags(flags)),
                    "unknown flag bits 0x" + Integer.toHexString(1 << bit));
            assertEquals(41, e.offset());
        }
        malformed(() -> CanonicalCodec.decode(claimWithFlags("09" + "3fe0000000000000")), "unknown flag bits 0x8");
    }

    @Test
    void nonMinimalVarint() {
        // subject length 4 as "84 00" instead of "04"
        malformed(() -> CanonicalCodec.decode(claim("8400" + "61636d65", TEXT_VALUE, NO_FLAGS, NO_METADATA)), "canonical form");
        // metadata count 0 as "80 00"
        malformed(() -> CanonicalCodec.decode(claimWithMetadata("8000")), "canonical form");
        // bytes length 1 as "81 80 80 80 00" (5 bytes, the longest allowed)
        malformed(() -> CanonicalCodec.decode(claimWithValue("05" + "8180808000" + "aa")), "canonical form");
    }

    @Test
    void sixByteVarint() {
        CanonicalCodec.MalformedRecordException e = malformed(
                () -> CanonicalCodec.decode(claim("848080808000" + "61636d65", TEXT_VALUE, NO_FLAGS, NO_METADATA)),
                "subject length is a varint longer than 5 bytes");
        assertEquals(2, e.offset());
    }

    @Test
    void varintAboveTheIntRange() {
        // 2^31 = 80 80 80 80 08
        malformed(() -> CanonicalCodec.decode(claim("8080808008" + "61636d65", TEXT_VALUE, NO_FLAGS, NO_METADATA)),
                "subject length 2147483648 is too large");
        // 2^31 - 1 is a legal varint, but far more than the record holds
        malformed(() -> CanonicalCodec.decode(claim("ffffffff07" + "61636d65", TEXT_VALUE, NO_FLAGS, NO_METADATA)),
                "truncated: subject needs 2147483647 bytes");
    }

    @Test
    void unsortedMetadata() {
        // "b" before "a"
        malformed(() -> CanonicalCodec.decode(claimWithMetadata("02" + "01" + "62" + "01" + "32" + "01" + "61" + "01" + "31")),
                "canonical form");
        // U+1F600 before U+FF61: the UTF-16 order, not the UTF-8 byte order
        malformed(() -> CanonicalCodec.decode(claimWithMetadata("02" + "04" + "f09f9880" + "00" + "03" + "efbda1" + "00")),
                "canonical form");
    }

    @Test
    void repeatedMetadataKey() {
        CanonicalCodec.MalformedRecordException e = malformed(
                () -> CanonicalCodec.decode(claimWithMetadata("02" + "01" + "61" + "01" + "31" + "01" + "61" + "01" + "32")),
                "metadata key 'a' is repeated");
        assertEquals(47, e.offset());
    }

    @Test
    void tooManyMetadataEntries() {
        malformed(() -> CanonicalCodec.decode(claimWithMetadata("41")), "metadata has 65 entries");
    }

    @Test
    void negativeZeroConfidenceBits() {
        malformed(() -> CanonicalCodec.decode(claimWithFlags("01" + "8000000000000000")), "-0.0 confidence");
    }

    @Test
    void negativeZeroRealBits() {
        malformed(() -> CanonicalCodec.decode(claimWithValue("03" + "8000000000000000")), "canonical form");
    }

    @Test
    void nanRealBits() {
        for (String nan : new String[] {"7ff8000000000000", "7ff0000000000001", "fff8000000000000", "ffffffffffffffff"}) {
            invalid(() -> CanonicalCodec.decode(claimWithValue("03" + nan)), "value", "NaN");
        }
    }

    @Test
    void nanOrOutOfRangeConfidenceBits() {
        invalid(() -> CanonicalCodec.decode(claimWithFlags("01" + "7ff8000000000000")), "confidence", "outside [0, 1]");
        invalid(() -> CanonicalCodec.decode(claimWithFlags("01" + "3ff0000000000001")), "confidence", "outside [0, 1]");
        invalid(() -> CanonicalCodec.decode(claimWithFlags("01" + "bff0000000000000")), "confidence", "outside [0, 1]");
    }

    @Test
    void invalidUtf8() {
        // overlong "/" (2f) as c0 af
        malformed(() -> CanonicalCodec.decode(claim("02" + "c0af", TEXT_VALUE, NO_FLAGS, NO_METADATA)),
                "subject is not well-formed UTF-8");
        // overlong NUL as c0 80 (Java's modified UTF-8)
        malformed(() -> CanonicalCodec.decode(claimWithValue("01" + "02" + "c080")), "text value is not well-formed UTF-8");
        // a lone high surrogate U+D83D encoded on its own (CESU-8 style)
        malformed(() -> CanonicalCodec.decode(claimWithValue("01" + "03" + "eda0bd")), "text value is not well-formed UTF-8");
        // U+1F600 as a CESU-8 surrogate pair instead of f0 9f 98 80
        malformed(() -> CanonicalCodec.decode(claimWithValue("01" + "06" + "eda0bdedb880")), "text value is not well-formed UTF-8");
        // truncated sequence, and a code point above U+10FFFF
        malformed(() -> CanonicalCodec.decode(claimWithValue("01" + "02" + "e282")), "text value is not well-formed UTF-8");
        malformed(() -> CanonicalCodec.decode(claimWithValue("01" + "04" + "f4908080")), "text value is not well-formed UTF-8");
        // in a metadata key
        malformed(() -> CanonicalCodec.decode(claimWithMetadata("01" + "01" + "ff" + "00")), "metadata key is not well-formed UTF-8");
    }

    @Test
    void booleanByte2() {
        CanonicalCodec.MalformedRecordException e =
                malformed(() -> CanonicalCodec.decode(claimWithValue("04" + "02")), "boolean byte is 2, not 0 or 1");
        assertEquals(12, e.offset());
    }

    @Test
    void nanosOneBillion() {
        CanonicalCodec.MalformedRecordException e = malformed(
                () -> CanonicalCodec.decode(claimWithValue("06" + "0000000000000000" + "3b9aca00")),
                "instant value nanos 1000000000 is not in 0..999999999");
        assertEquals(20, e.offset());
        malformed(() -> CanonicalCodec.decode(claimWithValue("06" + "0000000000000000" + "ffffffff")),
                "instant value nanos 4294967295");
        malformed(() -> CanonicalCodec.decode(claimWithFlags("02" + "0000000000000000" + "3b9aca00")),
                "validFrom nanos 1000000000");
    }

    @Test
    void instantSecondsOutOfRange() {
        malformed(() -> CanonicalCodec.decode(claimWithValue("06" + "7fffffffffffffff" + "00000000")),
                "instant value 9223372036854775807 s is outside the range of an instant");
        malformed(() -> CanonicalCodec.decode(claimWithFlags("04" + "8000000000000000" + "00000000")),
                "validTo -9223372036854775808 s is outside the range");
    }

    @Test
    void negativeHlc() {
        byte[] record = hex(WORKED_EXAMPLE);
        record[21] = (byte) 0x80; // top bit of physical
        invalid(() -> CanonicalCodec.decode(record), "hlc", "before 1970");
        byte[] record2 = hex(WORKED_EXAMPLE);
        record2[29] = (byte) 0x80; // top bit of logical
        invalid(() -> CanonicalCodec.decode(record2), "hlc", "negative");
    }

    @Test
    void emptyIntervalAndEmptyNames() {
        String t = "0000000000000001" + "00000000";
        invalid(() -> CanonicalCodec.decode(claimWithFlags("06" + t + t)), "validTo", "not after validFrom");
        invalid(() -> CanonicalCodec.decode(claim("00", TEXT_VALUE, NO_FLAGS, NO_METADATA)), "subject", "empty");
        invalid(() -> CanonicalCodec.decode(claimWithValue("07" + "00")), "value", "empty");
        invalid(() -> CanonicalCodec.decode(claimWithMetadata("01" + "00" + "00")), "metadata", "empty");
    }

    @Test
    void recordOverTheSizeLimit() {
        byte[] huge = new byte[CanonicalCodec.MAX_RECORD_BYTES + 1];
        huge[0] = 1;
        CanonicalCodec.MalformedRecordException e =
                malformed(() -> CanonicalCodec.decode(huge), "more than the limit of " + CanonicalCodec.MAX_RECORD_BYTES);
        assertEquals(0, e.offset());
    }

    @Test
    void decodeVerifiedWithTheWrongId() {
        byte[] record = hex(WORKED_EXAMPLE);
        AssertionId wrong = AssertionId.parse("00".repeat(32));
        CanonicalCodec.IdMismatchException e =
                assertThrows(CanonicalCodec.IdMismatchException.class, () -> CanonicalCodec.decodeVerified(wrong, record));
        assertEquals(wrong, e.expected());
        assertEquals(AssertionId.parse(WORKED_EXAMPLE_ID), e.actual());
        assertTrue(e.getMessage().contains(wrong.toString()) && e.getMessage().contains(WORKED_EXAMPLE_ID), e.getMessage());
        assertTrue(e.getMessage().contains("damaged or forged"), e.getMessage());

        // one flipped bit: the id no longer matches, before any parsing
        byte[] flipped = record.clone();
        flipped[15] ^= 1;
        assertThrows(CanonicalCodec.IdMismatchException.class,
                () -> CanonicalCodec.decodeVerified(AssertionId.parse(WORKED_EXAMPLE_ID), flipped));
    }

    @Test
    void anIdGivenWithTheRecordIsTheAssertionsIdWithoutHashingAgain() {
        byte[] record = CanonicalCodec.encode(workedExample());
        AssertionId id = AssertionId.parse(WORKED_EXAMPLE_ID);
        assertEquals(id, CanonicalCodec.decodeVerified(id, record).id());
        assertEquals(id, CanonicalCodec.decodeTrusted(id, record).id());
        // trusted means trusted: the caller's id is taken as given (storage keys records by it)
        AssertionId other = AssertionId.hashOf(new byte[] {1});
        assertEquals(other, CanonicalCodec.decodeTrusted(other, record).id());
        assertEquals(id, CanonicalCodec.decodeTrusted(record).id());
    }

    @Test
    void decodeTrustedSkipsOnlyTheCanonicalCheck() {
        byte[] nonMinimal = claim("8400" + "61636d65", TEXT_VALUE, NO_FLAGS, NO_METADATA);
        Assertion a = CanonicalCodec.decodeTrusted(nonMinimal);
        assertEquals("acme", ((Claim) a).subject());
        invalid(() -> CanonicalCodec.decodeTrusted(claimWithValue("03" + "7ff8000000000000")), "value", "NaN");
        malformed(() -> CanonicalCodec.decodeTrusted(claimWithValue("04" + "02")), "boolean byte");
    }

    @Test
    void encodeReturnsAFreshArray() {
        Claim c = workedExample();
        byte[] bytes = CanonicalCodec.encode(c);
        bytes[0] = 9;
        assertNotEquals(9, c.canonicalBytes()[0]);
        assertEquals(WORKED_EXAMPLE_ID, c.id().toString());
    }

    // ---- helpers ----

    private static CanonicalCodec.MalformedRecordException malformed(Executable decode, String expectedInMessage) {
        CanonicalCodec.MalformedRecordException e = assertThrows(CanonicalCodec.MalformedRecordException.class, decode);
        assertTrue(e.getMessage().startsWith("malformed assertion record"), e.getMessage());
        assertTrue(e.getMessage().contains(expectedInMessage),
                "message '" + e.getMessage() + "' should mention '" + expectedInMessage + "'");
        return e;
    }

    private static Assertion.InvalidAssertionException invalid(Executable decode, String field, String expectedInMessage) {
        Assertion.InvalidAssertionException e = assertThrows(Assertion.InvalidAssertionException.class, decode);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(expectedInMessage),
                "message '" + e.getMessage() + "' should mention '" + expectedInMessage + "'");
        return e;
    }
}
