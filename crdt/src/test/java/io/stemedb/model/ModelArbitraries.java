package io.stemedb.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators of fully random valid model objects: every value type over its whole range
 * (arbitrary Unicode without unpaired surrogates, any non-NaN double bit pattern, any instant),
 * every optional field present or absent, and metadata. Shared by the property tests of this
 * package.
 */
final class ModelArbitraries {
    private ModelArbitraries() {}

    /** A code point that is not a surrogate, biased towards the interesting planes. */
    static Arbitrary<Integer> codePoints() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x20, 0x7e)),                 // ASCII
                Tuple.of(1, Arbitraries.integers().between(0x00, 0x1f)),                 // controls, NUL
                Tuple.of(2, Arbitraries.integers().between(0x80, 0x7ff)),                // 2-byte UTF-8
                Tuple.of(2, Arbitraries.integers().between(0x800, 0xd7ff)),              // 3-byte, below surrogates
                Tuple.of(2, Arbitraries.integers().between(0xe000, 0xffff)),             // 3-byte, above surrogates
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10ffff)),          // 4-byte (astral)
                Tuple.of(1, Arbitraries.of(0x0301, 0x00e9, 0xff61, 0x1f600, 0xfeff, 0xffff, 0x10ffff, 0xd7ff, 0xe000)));
    }

    /** Well-formed strings of {@code min}..{@code max} code points. */
    static Arbitrary<String> unicode(int min, int max) {
        return codePoints().list().ofMinSize(min).ofMaxSize(max).map(ModelArbitraries::fromCodePoints);
    }

    static String fromCodePoints(List<Integer> cps) {
        StringBuilder s = new StringBuilder();
        cps.forEach(s::appendCodePoint);
        return s.toString();
    }

    /** Subjects, predicates, sources and refs: 1..24 code points (at most 96 UTF-8 bytes). */
    static Arbitrary<String> names() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, unicode(1, 24)),
                Tuple.of(1, Arbitraries.of("acme", "ceo", "hr", "crm", "a", "\u00e9", "e\u0301", "\uff61", "\ud83d\ude00")));
    }

    static Arbitrary<Double> doubles() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().map(Double::longBitsToDouble).filter(d -> !Double.isNaN(d))),
                Tuple.of(2, Arbitraries.doubles()),
                Tuple.of(1, Arbitraries.of(0.0, -0.0, 1.0, -1.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL)));
    }

    static Arbitrary<Instant> instants() {
        Arbitrary<Long> seconds = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())),
                Tuple.of(3, Arbitraries.longs().between(-5_000_000_000L, 5_000_000_000L)),
                Tuple.of(1, Arbitraries.of(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond(), -1L, 0L, 1L)));
        Arbitrary<Integer> nanos = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 999_999_999)),
                Tuple.of(1, Arbitraries.of(0, 1, 999_999_999)));
        return Combinators.combine(seconds, nanos).as(Instant::ofEpochSecond);
    }

    static Arbitrary<byte[]> byteArrays(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
    }

    static Arbitrary<Value> values() {
        return Arbitraries.oneOf(
                unicode(0, 40).map(Value::text),
                Arbitraries.longs().map(Value::integer),
                doubles().map(Value::real),
                Arbitraries.of(true, false).map(Value::bool),
                byteArrays(200).map(Value::bytes),
                instants().map(Value::instant),
                names().map(Value::ref));
    }

    /**
     * Values from small domains, so that equal and near-equal values (same type, neighbouring
     * payloads, strings whose UTF-16 and code point orders differ) meet often.
     */
    static Arbitrary<Value> smallValues() {
        return Arbitraries.oneOf(
                Arbitraries.of("", "a", "b", "ab", "\u00e9", "e\u0301", "\uff61", "\ud83d\ude00", "\ud83d\ude00a").map(Value::text),
                Arbitraries.longs().between(-2, 2).map(Value::integer),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE).map(Value::integer),
                Arbitraries.of(0.0, -0.0, 1.0, -1.0, Double.MIN_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)
                        .map(Value::real),
                Arbitraries.of(true, false).map(Value::bool),
                Arbitraries.of(new byte[0], new byte[] {0}, new byte[] {(byte) 0x80}, new byte[] {0x7f}, new byte[] {0, 0})
                        .map(Value::bytes),
                Arbitraries.of(Instant.EPOCH, Instant.ofEpochSecond(0, 1), Instant.ofEpochSecond(-1, 999_999_999), Instant.MIN)
                        .map(Value::instant),
                Arbitraries.of("a", "b", "\uff61", "\ud83d\ude00").map(Value::ref));
    }

    static Arbitrary<Hlc> hlcs() {
        Arbitrary<Long> physical = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(0, Long.MAX_VALUE)),
                Tuple.of(3, Arbitraries.longs().between(1_600_000_000_000L, 1_800_000_000_000L)),
                Tuple.of(1, Arbitraries.of(0L, Long.MAX_VALUE)));
        Arbitrary<Integer> logical = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, Integer.MAX_VALUE)),
                Tuple.of(3, Arbitraries.integers().between(0, 3)),
                Tuple.of(1, Arbitraries.just(Integer.MAX_VALUE)));
        return Combinators.combine(physical, logical, Arbitraries.longs()).as(Hlc::of);
    }

    /** Confidence in [0, 1], or null for none; -0.0 is included (it is stored as 0.0). */
    static Arbitrary<Double> confidences() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.doubles().between(0.0, 1.0)),
                Tuple.of(1, Arbitraries.of(0.0, -0.0, 1.0, 0.5, Double.MIN_VALUE, Math.nextDown(1.0))))
                .injectNull(0.4);
    }

    /** 0..6 entries, inserted in random order (so rarely in canonical order). */
    static Arbitrary<Map<String, String>> metadata() {
        Arbitrary<String> keys = Arbitraries.frequencyOf(
                Tuple.of(4, unicode(1, 12)),
                Tuple.of(1, Arbitraries.of("url", "ev", "a", "B", "\uff61", "\ud83d\ude00", "\u00e9", "e\u0301")));
        return Arbitraries.maps(keys, unicode(0, 20)).ofMaxSize(6)
                .map(m -> {
                    List<Map.Entry<String, String>> entries = new ArrayList<>(m.entrySet());
                    Collections.shuffle(entries, new Random(m.hashCode()));
                    Map<String, String> out = new LinkedHashMap<>();
                    entries.forEach(e -> out.put(e.getKey(), e.getValue()));
                    return out;
                });
    }

    /** A valid-time interval: [from, to) with either end possibly absent; never empty. */
    record Validity(Instant from, Instant to) {}

    static Arbitrary<Validity> validities() {
        Arbitrary<Instant> end = instants().injectNull(0.5);
        return Combinators.combine(end, end).as((a, b) -> {
            if (a != null && b != null) {
                int c = a.compareTo(b);
                if (c == 0) {
                    return new Validity(a, null);
                }
                return c < 0 ? new Validity(a, b) : new Validity(b, a);
            }
            return new Validity(a, b);
        });
    }

    static Arbitrary<Claim> claims() {
        Arbitrary<Claim.Builder> core = Combinators.combine(names(), names(), values(), names(), hlcs())
                .as((s, p, v, src, h) -> Claim.builder(s, p, v).source(src).hlc(h));
        return Combinators.combine(core, confidences(), validities(), metadata().injectNull(0.3))
                .as((b, conf, validity, meta) -> {
                    if (conf != null) {
                        b.confidence(conf);
                    }
                    b.validFrom(validity.from()).validTo(validity.to());
                    if (meta != null) {
                        b.metadata(meta);
                    }
                    return b.build();
                });
    }

    static Arbitrary<AssertionId> ids() {
        return Arbitraries.bytes().array(byte[].class).ofSize(AssertionId.LENGTH).map(AssertionId::fromBytes);
    }

    static Arbitrary<Retraction> retractions() {
        return Combinators.combine(ids(), names(), hlcs(), metadata().injectNull(0.4))
                .as(Retraction::of);
    }

    /**
     * Every kind of scope: one to many ids (repeats and any order, as a caller may give them, up to
     * the limit now and then), or names of every shape for the other kinds.
     */
    static Arbitrary<Erasure.Scope> scopes() {
        Arbitrary<Integer> counts = Arbitraries.frequencyOf(
                Tuple.of(40, Arbitraries.integers().between(1, 8)),
                Tuple.of(1, Arbitraries.just(Erasure.MAX_TARGETS)));
        return Arbitraries.frequencyOf(
                Tuple.of(2, counts.flatMap(n -> ids().list().ofMinSize(1).ofMaxSize(n)).map(Erasure.Scope::ids)),
                Tuple.of(1, names().map(Erasure.Scope::subject)),
                Tuple.of(1, Combinators.combine(names(), names()).as(Erasure.Scope::fact)),
                Tuple.of(1, Combinators.combine(names(), names()).as(Erasure.Scope::bySourceAbout)));
    }

    /** Reasons of 1 to 4096 UTF-8 bytes, any well-formed Unicode. */
    static Arbitrary<String> reasons() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, unicode(1, 60)),
                Tuple.of(1, Arbitraries.strings().ascii().ofLength(Erasure.MAX_REASON_BYTES)));
    }

    static Arbitrary<Erasure> erasures() {
        return Combinators.combine(scopes(), names(), hlcs(), reasons(), metadata().injectNull(0.4))
                .as(Erasure::of);
    }

    static Arbitrary<Assertion> assertions() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, claims().map(c -> (Assertion) c)),
                Tuple.of(1, retractions().map(r -> (Assertion) r)),
                Tuple.of(1, erasures().map(e -> (Assertion) e)));
    }
}
