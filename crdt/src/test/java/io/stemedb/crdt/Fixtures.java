package io.stemedb.crdt;

import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.List;

/** Small builders for the hand-made examples of the unit tests. */
final class Fixtures {
    static final String S = "user:1";
    static final String P = "email";
    static final long T0 = 1_700_000_000_000L;

    private Fixtures() {}

    /** An HLC {@code ms} milliseconds after T0. */
    static Hlc hlc(long ms, int logical, long node) {
        return Hlc.of(T0 + ms, logical, node);
    }

    static Hlc hlc(long ms) {
        return hlc(ms, 0, 1L);
    }

    static Instant at(long ms) {
        return Instant.ofEpochMilli(T0 + ms);
    }

    static Claim claim(String subject, String predicate, Value value, String source, Hlc hlc) {
        return Claim.builder(subject, predicate, value).source(source).hlc(hlc).build();
    }

    /** A claim about (S, P). */
    static Claim claim(Value value, String source, Hlc hlc) {
        return claim(S, P, value, source, hlc);
    }

    static Claim text(String text, String source, long ms) {
        return claim(Value.text(text), source, hlc(ms));
    }

    static Claim integer(long n, String source, long ms) {
        return claim(Value.integer(n), source, hlc(ms));
    }

    static Retraction retract(Assertion target, String source, long ms) {
        return Retraction.of(target.id(), source, hlc(ms), null);
    }

    /** The evidence about (S, P) among {@code assertions}. */
    static Evidence evidence(Assertion... assertions) {
        return Evidence.of(S, P, List.of(assertions));
    }

    static Evidence evidence(List<? extends Assertion> assertions) {
        return Evidence.of(S, P, assertions);
    }
}
