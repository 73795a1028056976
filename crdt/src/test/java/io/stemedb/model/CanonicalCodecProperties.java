package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;

/** The canonical encoding is one-to-one and deterministic, for any valid assertion. */
class CanonicalCodecProperties {

    @Provide
    Arbitrary<Assertion> assertions() {
        return ModelArbitraries.assertions();
    }

    @Provide
    Arbitrary<Claim> claims() {
        return ModelArbitraries.claims();
    }

    /** Pairs that are often equal in content (rebuilt another way) and otherwise independent. */
    @Provide
    Arbitrary<Tuple2<Assertion, Assertion>> pairs() {
        Arbitrary<Assertion> a = ModelArbitraries.assertions();
        return Arbitraries.frequencyOf(
                Tuple.of(1, Combinators.combine(a, Arbitraries.randoms()).as((x, r) -> Tuple.of(x, rebuild(x, r)))),
                Tuple.of(1, Combinators.combine(a, a).as(Tuple::of)));
    }

    @Provide
    Arbitrary<Value> anyValues() {
        return Arbitraries.frequencyOf(Tuple.of(2, ModelArbitraries.smallValues()), Tuple.of(1, ModelArbitraries.values()));
    }

    @Property
    void decodeOfEncodeIsTheSameAssertion(@ForAll("assertions") Assertion a) {
        assertSameFields(a, CanonicalCodec.decode(CanonicalCodec.encode(a)));
    }

    /** The read path's decoder, which checks nothing, reads every record as the checking one does, wherever it lies in a buffer. */
    @Property
    void decodeStoredReadsWhatDecodeReads(@ForAll("assertions") Assertion a, @ForAll @IntRange(max = 40) int before,
            @ForAll @IntRange(max = 40) int after) {
        byte[] record = CanonicalCodec.encode(a);
        byte[] buffer = new byte[before + record.length + after];
        java.util.Arrays.fill(buffer, (byte) 0x5a);
        System.arraycopy(record, 0, buffer, before, record.length);
        assertSameFields(a, CanonicalCodec.decodeStored(null, buffer, before, record.length));
        Assertion known = CanonicalCodec.decodeStored(a.id(), buffer, before, record.length);
        assertEquals(a.id(), known.id());
        assertEquals(a, known);
    }

    /**
     * Given the names a record likely has, the read path's decoder reads what it reads without
     * them, whether the guesses are right, of the right length but wrong, or not ASCII; a right
     * ASCII guess is the very string it returns.
     */
    @Property
    void decodeStoredWithLikelyNamesReadsWhatDecodeReads(@ForAll("assertions") Assertion a, @ForAll @IntRange(max = 3) int guess,
            @ForAll String other) {
        byte[] record = CanonicalCodec.encode(a);
        String subject = a instanceof Claim c ? c.subject() : other;
        String predicate = a instanceof Claim c ? c.predicate() : other;
        String source = a.source();
        java.util.function.UnaryOperator<String> twist = switch (guess) {
            case 0 -> x -> x;
            case 1 -> x -> x.isEmpty() ? "x" : x.substring(0, x.length() - 1) + (char) (x.charAt(x.length() - 1) ^ 1);
            case 2 -> x -> other;
            default -> x -> null;
        };
        Assertion decoded = CanonicalCodec.decodeStored(null, record, 0, record.length, twist.apply(subject), twist.apply(predicate),
                twist.apply(source));
        assertSameFields(a, decoded);
        if (guess == 0 && decoded instanceof Claim c && subject.chars().allMatch(ch -> ch < 0x80)) {
            org.junit.jupiter.api.Assertions.assertSame(subject, c.subject(), "a right ASCII guess is the string returned");
        }
    }

    private static void assertSameFields(Assertion a, Assertion decoded) {
        assertEquals(a, decoded);
        assertEquals(a.id(), decoded.id());
        assertEquals(a.getClass(), decoded.getClass());
        assertEquals(a.source(), decoded.source());
        assertEquals(a.hlc(), decoded.hlc());
        assertEquals(List.copyOf(a.metadata().entrySet()), List.copyOf(decoded.metadata().entrySet()));
        if (a instanceof Claim) {
            Claim c = (Claim) a;
            Claim d = (Claim) decoded;
            assertEquals(c.subject(), d.subject());
            assertEquals(c.predicate(), d.predicate());
            assertEquals(c.value(), d.value());
            assertEquals(c.confidence(), d.confidence());
            assertEquals(c.validFrom(), d.validFrom());
            assertEquals(c.validTo(), d.validTo());
        } else if (a instanceof Retraction r) {
            assertEquals(r.target(), ((Retraction) decoded).target());
        } else {
            Erasure e = (Erasure) a;
            Erasure d = (Erasure) decoded;
            assertEquals(e.scope(), d.scope());
            assertEquals(e.reason(), d.reason());
        }
    }

    @Property
    void decodedRecordReencodesToIdenticalBytes(@ForAll("assertions") Assertion a) {
        byte[] bytes = CanonicalCodec.encode(a);
        Assertion decoded = CanonicalCodec.decode(bytes);
        assertArrayEquals(bytes, CanonicalCodec.encode(decoded));
        assertArrayEquals(bytes, CanonicalCodec.encodeFields(decoded), "re-encoding from the fields");
        assertEquals(a, CanonicalCodec.decodeTrusted(bytes));
        assertEquals(a, CanonicalCodec.decodeVerified(a.id(), bytes));
    }

    @Property
    void equalContentBuiltAnotherWayHasEqualBytesAndId(@ForAll("assertions") Assertion a, @ForAll Random random) {
        Assertion b = rebuild(a, random);
        assertArrayEquals(a.canonicalBytes(), b.canonicalBytes());
        assertEquals(a.id(), b.id());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        if (a instanceof Claim) {
            Claim viaToBuilder = ((Claim) a).toBuilder().build();
            assertArrayEquals(a.canonicalBytes(), viaToBuilder.canonicalBytes());
            assertEquals(a.id(), viaToBuilder.id());
        }
    }

    @Property
    void negativeZeroIsZero(@ForAll("claims") Claim c) {
        Claim withZero = c.toBuilder().confidence(0.0).build();
        Claim withNegativeZero = c.toBuilder().confidence(-0.0).build();
        assertArrayEquals(withZero.canonicalBytes(), withNegativeZero.canonicalBytes());
        assertEquals(withZero.id(), withNegativeZero.id());
        assertEquals(0L, Double.doubleToRawLongBits(withNegativeZero.confidence().getAsDouble()));

        Claim realZero = Claim.builder(c.subject(), c.predicate(), Value.real(0.0)).source(c.source()).hlc(c.hlc()).build();
        Claim realNegativeZero = Claim.builder(c.subject(), c.predicate(), Value.real(-0.0)).source(c.source()).hlc(c.hlc()).build();
        assertEquals(realZero.id(), realNegativeZero.id());
        assertEquals(realZero, realNegativeZero);
    }

    @Property
    void equalsIffSameBytesIffSameId(@ForAll("pairs") Tuple2<Assertion, Assertion> pair) {
        Assertion a = pair.get1();
        Assertion b = pair.get2();
        boolean equal = a.equals(b);
        boolean sameBytes = Arrays.equals(a.canonicalBytes(), b.canonicalBytes());
        boolean sameId = a.id().equals(b.id());
        assertEquals(equal, sameBytes, "equals iff same bytes");
        assertEquals(sameBytes, sameId, "same bytes iff same id");
        assertEquals(equal, b.equals(a), "symmetric");
        assertEquals(sameId, a.id().compareTo(b.id()) == 0, "id order is consistent with equals");
        if (equal) {
            assertEquals(a.hashCode(), b.hashCode());
        }
    }

    @Property
    void idParsesBackFromItsText(@ForAll("assertions") Assertion a) {
        AssertionId id = a.id();
        String text = id.toString();
        assertTrue(text.matches("[0-9a-f]{64}"), text);
        assertEquals(id, AssertionId.parse(text));
        assertEquals(id, AssertionId.parse(text.toUpperCase(Locale.ROOT)));
        assertEquals(id, AssertionId.fromBytes(id.toBytes()));
        assertEquals(id, AssertionId.hashOf(a.canonicalBytes()));
    }

    /** One-to-one: a record that differs from a canonical one in one byte is refused or is another assertion. */
    @Property
    void decodeAcceptsOnlyCanonicalBytes(@ForAll("assertions") Assertion a,
                                         @ForAll @IntRange(min = 0, max = 10_000) int where,
                                         @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] bytes = CanonicalCodec.encode(a);
        byte[] mutated = bytes.clone();
        mutated[where % bytes.length] ^= (byte) xor;
        Assertion decoded;
        try {
            decoded = CanonicalCodec.decode(mutated);
        } catch (CanonicalCodec.MalformedRecordException | Assertion.InvalidAssertionException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank());
            return;
        } catch (RuntimeException e) {
            fail("decode threw " + e + " instead of a StemeDB exception, for " + java.util.HexFormat.of().formatHex(mutated), e);
            return;
        }
        assertArrayEquals(mutated, decoded.canonicalBytes(), "what decode accepts is canonical");
        assertNotEquals(a, decoded);
        assertNotEquals(a.id(), decoded.id());
    }

    @Property(tries = 200)
    void everyStrictPrefixIsRefused(@ForAll("assertions") Assertion a) {
        byte[] bytes = CanonicalCodec.encode(a);
        for (int n = 0; n < bytes.length; n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            CanonicalCodec.MalformedRecordException e = assertThrows(CanonicalCodec.MalformedRecordException.class,
                    () -> CanonicalCodec.decode(prefix), "prefix of length " + n);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Property
    void metadataIsInUtf8ByteOrderOfKeys(@ForAll("assertions") Assertion a) {
        List<String> keys = new ArrayList<>(a.metadata().keySet());
        for (int i = 1; i < keys.size(); i++) {
            assertTrue(Arrays.compareUnsigned(Utf8.encode(keys.get(i - 1)), Utf8.encode(keys.get(i))) < 0,
                    keys.get(i - 1) + " before " + keys.get(i));
        }
    }

    @Property
    void valueOrderIsConsistentWithEquals(@ForAll("anyValues") Value a, @ForAll("anyValues") Value b) {
        assertEquals(a.equals(b), a.compareTo(b) == 0, a + " vs " + b);
        if (a.equals(b)) {
            assertEquals(a.hashCode(), b.hashCode());
        }
        assertEquals(0, a.compareTo(a));
    }

    @Property
    void valueOrderIsAntisymmetric(@ForAll("anyValues") Value a, @ForAll("anyValues") Value b) {
        assertEquals(Integer.signum(a.compareTo(b)), -Integer.signum(b.compareTo(a)), a + " vs " + b);
    }

    @Property
    void valueOrderIsTransitive(@ForAll("anyValues") Value a, @ForAll("anyValues") Value b, @ForAll("anyValues") Value c) {
        // Sort the three by pairwise comparisons, then check that the ends agree with the middle.
        Value[] v = {a, b, c};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2 - i; j++) {
                if (v[j].compareTo(v[j + 1]) > 0) {
                    Value t = v[j];
                    v[j] = v[j + 1];
                    v[j + 1] = t;
                }
            }
        }
        assertTrue(v[0].compareTo(v[1]) <= 0 && v[1].compareTo(v[2]) <= 0);
        assertTrue(v[0].compareTo(v[2]) <= 0, "transitivity: " + Arrays.toString(v));
        if (v[0].compareTo(v[1]) < 0 || v[1].compareTo(v[2]) < 0) {
            assertTrue(v[0].compareTo(v[2]) < 0, "strict transitivity: " + Arrays.toString(v));
        }
    }

    @Property
    void textOrderIsUtf8ByteOrder(@ForAll("anyValues") Value a, @ForAll("anyValues") Value b) {
        if (a.type() == b.type() && (a.type() == Value.Type.TEXT || a.type() == Value.Type.REF)) {
            assertEquals(Integer.signum(Arrays.compareUnsigned(Utf8.encode(a.asText()), Utf8.encode(b.asText()))),
                    Integer.signum(a.compareTo(b)), a + " vs " + b);
        } else if (a.type() != b.type()) {
            assertEquals(Integer.signum(Integer.compare(a.type().tag(), b.type().tag())), Integer.signum(a.compareTo(b)));
        }
    }

    /** The same content built through other calls: fresh strings and arrays, shuffled metadata, -0.0 for 0. */
    static Assertion rebuild(Assertion a, Random random) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(a.metadata().entrySet());
        Collections.shuffle(entries, random);
        if (a instanceof Retraction) {
            Retraction r = (Retraction) a;
            java.util.LinkedHashMap<String, String> meta = new java.util.LinkedHashMap<>();
            entries.forEach(e -> meta.put(new String(e.getKey()), new String(e.getValue())));
            return Retraction.of(AssertionId.parse(r.target().toString()), new String(r.source()),
                    Hlc.of(r.hlc().physicalMillis(), r.hlc().logical(), r.hlc().node()),
                    meta.isEmpty() && random.nextBoolean() ? null : meta);
        }
        if (a instanceof Erasure e) {
            java.util.LinkedHashMap<String, String> meta = new java.util.LinkedHashMap<>();
            entries.forEach(x -> meta.put(new String(x.getKey()), new String(x.getValue())));
            Erasure.Scope s = e.scope();
            Erasure.Scope scope = switch (s.kind()) {
                case IDS -> {
                    // the same ids, reversed and one repeated: the scope is a set
                    List<AssertionId> ids = new ArrayList<>();
                    s.targets().forEach(id -> ids.add(0, AssertionId.parse(id.toString())));
                    ids.add(ids.get(random.nextInt(ids.size())));
                    yield Erasure.Scope.ids(ids);
                }
                case SUBJECT -> Erasure.Scope.subject(new String(s.subject()));
                case FACT -> Erasure.Scope.fact(new String(s.subject()), new String(s.predicate()));
                case SOURCE_SUBJECT -> Erasure.Scope.bySourceAbout(new String(s.claimSource()), new String(s.subject()));
            };
            return Erasure.of(scope, new String(e.source()), Hlc.of(e.hlc().physicalMillis(), e.hlc().logical(), e.hlc().node()),
                    new String(e.reason()), meta.isEmpty() && random.nextBoolean() ? null : meta);
        }
        Claim c = (Claim) a;
        Claim.Builder b = Claim.builder(new String(c.subject()), new String(c.predicate()), copy(c.value()))
                .source(new String(c.source()))
                .hlc(Hlc.of(c.hlc().physicalMillis(), c.hlc().logical(), c.hlc().node()));
        if (c.confidence().isPresent()) {
            double conf = c.confidence().getAsDouble();
            b.confidence(conf == 0.0 ? -0.0 : conf);
        }
        c.validFrom().ifPresent(b::validFrom);
        c.validTo().ifPresent(b::validTo);
        entries.forEach(e -> b.metadata(new String(e.getKey()), new String(e.getValue())));
        return b.build();
    }

    private static Value copy(Value v) {
        switch (v.type()) {
            case TEXT:
                return Value.text(new String(v.asText()));
            case REF:
                return Value.ref(new String(v.asText()));
            case INTEGER:
                return Value.integer(v.asLong());
            case REAL:
                return Value.real(v.asDouble() == 0.0 ? -0.0 : v.asDouble());
            case BOOLEAN:
                return Value.bool(v.asBoolean());
            case BYTES:
                return Value.bytes(v.asBytes());
            case INSTANT:
                return Value.instant(java.time.Instant.ofEpochSecond(v.asInstant().getEpochSecond(), v.asInstant().getNano()));
            default:
                throw new AssertionError(v.type());
        }
    }
}
