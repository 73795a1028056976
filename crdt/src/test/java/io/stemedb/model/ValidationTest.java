package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every bad input of DESIGN section 2 is refused with a typed exception that names the field. */
class ValidationTest {
    private static final Hlc HLC = Hlc.of(1_700_000_000_000L, 0, 1);
    private static final String LONE_HIGH = "ab\ud83dcd";
    private static final String LONE_LOW = "\ude00";
    /** 1024 UTF-8 bytes in 1022 chars: the limit counts bytes. */
    private static final String NAME_1024 = "a".repeat(1020) + "\ud83d\ude00";
    /** 1025 UTF-8 bytes in only 513 chars. */
    private static final String NAME_1025 = "\u00e9".repeat(512) + "a";

    private static Claim.Builder valid() {
        return Claim.builder("acme", "ceo", Value.text("Alice")).source("hr").hlc(HLC);
    }

    private static Claim claim(String subject, String predicate, String source) {
        return Claim.builder(subject, predicate, Value.text("v")).source(source).hlc(HLC).build();
    }

    @Test
    void theLengthsUsedHereAreWhatTheyClaim() {
        assertEquals(1024, Utf8.encode(NAME_1024).length);
        assertEquals(1025, Utf8.encode(NAME_1025).length);
    }

    @Test
    void subject() {
        checkName("subject", s -> claim(s, "p", "src"));
    }

    @Test
    void predicate() {
        checkName("predicate", s -> claim("s", s, "src"));
    }

    @Test
    void source() {
        checkName("source", s -> claim("s", "p", s));
    }

    @Test
    void retractionSource() {
        AssertionId target = AssertionId.parse("00".repeat(32));
        checkName("source", s -> Retraction.of(target, s, HLC, null));
    }

    @Test
    void ref() {
        checkName("value", Value::ref);
    }

    /** null, empty, unpaired surrogates and 1025 bytes are refused; 1024 bytes pass. */
    private static void checkName(String field, Function<String, Object> build) {
        invalid(field, "missing", () -> build.apply(null));
        invalid(field, "empty", () -> build.apply(""));
        invalid(field, "unpaired surrogate", () -> build.apply(LONE_HIGH));
        invalid(field, "unpaired surrogate", () -> build.apply(LONE_LOW));
        invalid(field, "unpaired surrogate", () -> build.apply("\ud83d"));
        Assertion.InvalidAssertionException e = invalid(field, "1025 UTF-8 bytes", () -> build.apply(NAME_1025));
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
        invalid(field, "1025 UTF-8 bytes", () -> build.apply("b".repeat(1025)));
        assertDoesNotThrow(() -> build.apply(NAME_1024));
        assertDoesNotThrow(() -> build.apply("x".repeat(1024)));
        assertDoesNotThrow(() -> build.apply("\u00e9"));
    }

    @Test
    void textValueWithAnUnpairedSurrogate() {
        invalid("value", "unpaired surrogate", () -> Value.text(LONE_HIGH));
        invalid("value", "unpaired surrogate", () -> Value.text(LONE_LOW));
        invalid("value", "unpaired surrogate", () -> Value.text("\ude00\ud83d")); // reversed pair
        assertDoesNotThrow(() -> Value.text(""));
        assertDoesNotThrow(() -> Value.text("\ud83d\ude00"));
    }

    @Test
    void realNaN() {
        invalid("value", "NaN", () -> Value.real(Double.NaN));
        invalid("value", "NaN", () -> Value.real(Double.longBitsToDouble(0x7ff0000000000001L)));
        invalid("value", "NaN", () -> Value.real(Double.longBitsToDouble(0xfff8000000000000L)));
        assertEquals(0L, Double.doubleToRawLongBits(Value.real(-0.0).asDouble()));
        assertDoesNotThrow(() -> Value.real(Double.POSITIVE_INFINITY));
    }

    @Test
    void confidence() {
        invalid("confidence", "outside [0, 1]", () -> valid().confidence(Double.NaN).build());
        invalid("confidence", "-0.1 is outside [0, 1]", () -> valid().confidence(-0.1).build());
        invalid("confidence", "1.1 is outside [0, 1]", () -> valid().confidence(1.1).build());
        invalid("confidence", "outside [0, 1]", () -> valid().confidence(Double.POSITIVE_INFINITY).build());
        invalid("confidence", "outside [0, 1]", () -> valid().confidence(Math.nextUp(1.0)).build());
        invalid("confidence", "outside [0, 1]", () -> valid().confidence(-Double.MIN_VALUE).build());
        assertEquals(0.0, valid().confidence(0.0).build().confidence().getAsDouble());
        assertEquals(1.0, valid().confidence(1.0).build().confidence().getAsDouble());
        assertEquals(0L, Double.doubleToRawLongBits(valid().confidence(-0.0).build().confidence().getAsDouble()));
        assertTrue(valid().build().confidence().isEmpty());
    }

    @Test
    void validTime() {
        Instant t = Instant.parse("2024-01-01T00:00:00Z");
        invalid("validTo", "not after validFrom", () -> valid().validFrom(t).validTo(t.minusNanos(1)).build());
        invalid("validTo", "must not be empty", () -> valid().validFrom(t).validTo(t).build());
        assertDoesNotThrow(() -> valid().validFrom(t).validTo(t.plusNanos(1)).build());
        assertDoesNotThrow(() -> valid().validFrom(t).build());
        assertDoesNotThrow(() -> valid().validTo(t).build());
        Claim c = valid().validFrom(t).validTo(t.plusSeconds(1)).build();
        assertTrue(c.isValidAt(t));
        assertTrue(!c.isValidAt(t.plusSeconds(1)), "validTo is exclusive");
        assertTrue(!c.isValidAt(t.minusNanos(1)));
    }

    @Test
    void metadataEntries() {
        Map<String, String> tooMany = new HashMap<>();
        for (int i = 0; i <= Assertion.MAX_METADATA_ENTRIES; i++) {
            tooMany.put("k" + i, "v");
        }
        Assertion.InvalidAssertionException e = invalid("metadata", "65 entries", () -> valid().metadata(tooMany).build());
        assertTrue(e.getMessage().contains("64"), e.getMessage());
        invalid("metadata", "65 entries",
                () -> Retraction.of(AssertionId.parse("00".repeat(32)), "s", HLC, tooMany));
        tooMany.remove("k0");
        assertDoesNotThrow(() -> valid().metadata(tooMany).build());
    }

    @Test
    void metadataKeys() {
        invalid("metadata", "empty or missing key", () -> valid().metadata("", "v").build());
        Map<String, String> nullKey = new LinkedHashMap<>();
        nullKey.put(null, "v");
        invalid("metadata", "empty or missing key", () -> valid().metadata(nullKey).build());

        String key257 = "k".repeat(Assertion.MAX_METADATA_KEY_BYTES + 1);
        Assertion.InvalidAssertionException e = assertThrows(Assertion.InvalidAssertionException.class,
                () -> valid().metadata(key257, "v").build());
        assertEquals("metadata", e.field());
        assertTrue(e.getMessage().contains("257 UTF-8 bytes") && e.getMessage().contains("256"), e.getMessage());
        assertDoesNotThrow(() -> valid().metadata("k".repeat(Assertion.MAX_METADATA_KEY_BYTES), "v").build());

        e = assertThrows(Assertion.InvalidAssertionException.class, () -> valid().metadata(LONE_HIGH, "v").build());
        assertEquals("metadata", e.field());
        assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
    }

    @Test
    void metadataValueMissing() {
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("url", null);
        invalid("metadata", "value of key 'url' is missing", () -> valid().metadata(nullValue).build());
    }

    @Test
    void metadataValues() {
        String value4097 = "v".repeat(Assertion.MAX_METADATA_VALUE_BYTES + 1);
        Assertion.InvalidAssertionException e = assertThrows(Assertion.InvalidAssertionException.class,
                () -> valid().metadata("url", value4097).build());
        assertEquals("metadata", e.field());
        assertTrue(e.getMessage().contains("'url'"), e.getMessage());
        assertTrue(e.getMessage().contains("4097 UTF-8 bytes") && e.getMessage().contains("4096"), e.getMessage());
        assertDoesNotThrow(() -> valid().metadata("url", "v".repeat(Assertion.MAX_METADATA_VALUE_BYTES)).build());
        assertDoesNotThrow(() -> valid().metadata("url", "").build());

        e = assertThrows(Assertion.InvalidAssertionException.class, () -> valid().metadata("url", LONE_LOW).build());
        assertEquals("metadata", e.field());
        assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
    }

    @Test
    void valueOverTheHardLimit() {
        byte[] tooBig = new byte[Assertion.MAX_VALUE_BYTES + 1];
        Assertion.InvalidAssertionException e = invalid("value", "16777217 bytes",
                () -> Claim.builder("s", "p", Value.bytes(tooBig)).source("src").hlc(HLC).build());
        assertTrue(e.getMessage().contains(String.valueOf(Assertion.MAX_VALUE_BYTES)), e.getMessage());
        invalid("value", "16777217 bytes",
                () -> Claim.builder("s", "p", Value.text("t".repeat(Assertion.MAX_VALUE_BYTES + 1))).source("src").hlc(HLC).build());

        Claim atLimit = Claim.builder("s", "p", Value.bytes(new byte[Assertion.MAX_VALUE_BYTES])).source("src").hlc(HLC).build();
        byte[] bytes = atLimit.canonicalBytes();
        assertTrue(bytes.length <= CanonicalCodec.MAX_RECORD_BYTES);
        assertEquals(atLimit, CanonicalCodec.decode(bytes));
    }

    @Test
    void hlc() {
        invalid("hlc", "missing", () -> Claim.builder("s", "p", Value.text("v")).source("src").build());
        invalid("hlc", "missing", () -> Retraction.of(AssertionId.parse("00".repeat(32)), "src", null, null));
        invalid("hlc", "before 1970", () -> Hlc.of(-1, 0, 0));
        invalid("hlc", "negative", () -> Hlc.of(0, -1, 0));
        assertDoesNotThrow(() -> Hlc.of(0, 0, -1));
        assertDoesNotThrow(() -> Hlc.of(Long.MAX_VALUE, Integer.MAX_VALUE, Long.MIN_VALUE));
    }

    @Test
    void aFailedBuildChangesNothing() {
        Claim.Builder b = valid().confidence(2.0);
        invalid("confidence", "outside", b::build);
        Claim fixed = b.confidence(0.5).build();
        assertEquals(valid().confidence(0.5).build(), fixed);
    }

    private static Assertion.InvalidAssertionException invalid(String field, String expectedInMessage, Executable build) {
        Assertion.InvalidAssertionException e = assertThrows(Assertion.InvalidAssertionException.class, build);
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith("invalid " + field), e.getMessage());
        assertTrue(e.getMessage().contains(expectedInMessage),
                "message '" + e.getMessage() + "' should mention '" + expectedInMessage + "'");
        return e;
    }
}
