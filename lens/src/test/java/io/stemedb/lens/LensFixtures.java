package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Claims about one fact ({@code acme.hq}) with fixed timestamps, for the lens tests. Times are
 * milliseconds after {@link #BASE} so explanations read as real dates.
 */
final class LensFixtures {
    static final String SUBJECT = "acme";
    static final String PREDICATE = "hq";
    /** 2026-01-01T00:00:00Z. */
    static final long BASE = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final long NODE = 1L;

    private LensFixtures() {}

    /** A claim builder for acme.hq by {@code source}, recorded {@code seconds} after BASE on node 1. */
    static Claim.Builder says(String source, String value, long seconds) {
        return Claim.builder(SUBJECT, PREDICATE, Value.text(value)).source(source).hlc(Hlc.of(BASE + seconds * 1000, 0, NODE));
    }

    static Claim claim(String source, String value, long seconds) {
        return says(source, value, seconds).build();
    }

    static Claim claim(String source, String value, long seconds, double confidence) {
        return says(source, value, seconds).confidence(confidence).build();
    }

    static Retraction retract(Claim target, String source, long seconds) {
        return Retraction.of(target.id(), source, Hlc.of(BASE + seconds * 1000, 0, NODE), null);
    }

    static Instant at(long seconds) {
        return Instant.ofEpochMilli(BASE + seconds * 1000);
    }

    static Evidence evidence(Assertion... assertions) {
        return Evidence.of(SUBJECT, PREDICATE, Arrays.asList(assertions));
    }

    static Evidence evidence(List<? extends Assertion> assertions) {
        return Evidence.of(SUBJECT, PREDICATE, assertions);
    }

    static Resolution resolve(Lens lens, Assertion... assertions) {
        return lens.resolve(evidence(assertions));
    }

    static String shortId(Claim c) {
        return c.id().shortHex();
    }

    static List<AssertionId> ids(List<Claim> claims) {
        return claims.stream().map(Claim::id).collect(Collectors.toList());
    }

    /** The claims a resolution set aside, each with its reason, as "source value: reason". */
    static List<String> asideWithReasons(Resolution r) {
        return r.setAside().stream()
                .map(s -> s.claim().source() + " " + s.claim().value() + ": " + s.reason())
                .collect(Collectors.toList());
    }

    static List<Claim> asideClaims(Resolution r) {
        return r.setAside().stream().map(Resolution.SetAside::claim).collect(Collectors.toList());
    }

    static Value text(String s) {
        return Value.text(s);
    }
}
