package io.stemedb.acceptance.bulk;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Assertions that exercise a bulk load: several sources disagreeing, every value type, Unicode
 * and long names, metadata, confidence, valid time, a fact of many claims, duplicates within the
 * input, retractions of claims of the input, of a claim that never arrives and of a retraction.
 * Deterministic for a seed; timestamps from {@code base} on, in the past.
 */
public final class BulkData {
    static final String[] SOURCES = {"crm", "hr", "erp", "wéb"};
    static final String[] SUBJECTS = {"acme", "Zürich", "東京", "emoji😀", "x".repeat(300), "globex", "initech", "a", "ab"};
    static final String[] PREDICATES = {"ceo", "revenue", "open", "logo", "founded", "rating", "parent", "b", "bc"};

    private BulkData() {}

    public static List<Assertion> generate(long seed, int claims, long base) {
        Random r = new Random(seed);
        List<Assertion> out = new ArrayList<>();
        List<Claim> made = new ArrayList<>();
        for (int i = 0; i < claims; i++) {
            Claim c = claim(r, i, base);
            out.add(c);
            made.add(c);
            if (i > 10 && r.nextInt(20) == 0) {
                out.add(made.get(r.nextInt(made.size()))); // a duplicate within the input
            }
            if (i > 10 && r.nextInt(30) == 0) {
                Claim target = made.get(r.nextInt(made.size()));
                out.add(Retraction.of(target.id(), SOURCES[r.nextInt(SOURCES.length)], Hlc.of(base + i, 7, 0xbbL), Map.of()));
            }
        }
        Claim never = Claim.builder("ghost", "ceo", Value.text("never arrives")).source("crm").hlc(Hlc.of(base, 1, 0xccL)).build();
        Retraction ofNever = Retraction.of(never.id(), "hr", Hlc.of(base + 1, 3, 0xbbL), Map.of());
        out.add(ofNever);
        out.add(Retraction.of(ofNever.id(), "crm", Hlc.of(base + 2, 3, 0xbbL), Map.of()));
        return out;
    }

    /** Claim {@code i}: a third of them about one hot fact, the rest spread. */
    public static Claim claim(Random r, int i, long base) {
        String subject = i % 3 == 0 ? "hot" : SUBJECTS[r.nextInt(SUBJECTS.length)] + (r.nextInt(4) == 0 ? "" : "-" + r.nextInt(50));
        String predicate = i % 3 == 0 ? "counter" : PREDICATES[r.nextInt(PREDICATES.length)];
        Value value = switch (i % 8) {
            case 0 -> Value.integer(r.nextInt(5));
            case 1 -> Value.text("v" + r.nextInt(6));
            case 2 -> Value.real(r.nextInt(4) / 2.0);
            case 3 -> Value.bool(r.nextBoolean());
            case 4 -> Value.bytes(new byte[] {(byte) r.nextInt(3), 1, 2});
            case 5 -> Value.instant(Instant.ofEpochSecond(1_600_000_000L + r.nextInt(3)));
            case 6 -> Value.ref(SUBJECTS[r.nextInt(SUBJECTS.length)]);
            default -> Value.text("long " + "y".repeat(100 + r.nextInt(3)));
        };
        Claim.Builder b = Claim.builder(subject, predicate, value).source(SOURCES[r.nextInt(SOURCES.length)])
                .hlc(Hlc.of(base + i / 2, i % 2, 0xa0L + r.nextInt(3)));
        if (r.nextInt(4) == 0) {
            b.confidence(r.nextInt(11) / 10.0);
        }
        if (r.nextInt(6) == 0) {
            b.validFrom(Instant.ofEpochSecond(1_500_000_000L)).validTo(Instant.ofEpochSecond(1_700_000_000L + r.nextInt(9)));
        }
        if (r.nextInt(5) == 0) {
            b.metadata(Map.of("url", "https://example.org/" + i, "évidence", "n°" + r.nextInt(3)));
        }
        return b.build();
    }

    /** The assertions of {@code input} in the order a bulk load stores them: claims first, then the rest. */
    public static List<Assertion> claimsThenRest(List<Assertion> input) {
        List<Assertion> ordered = new ArrayList<>();
        List<Assertion> rest = new ArrayList<>();
        for (Assertion a : input) {
            (a instanceof Claim ? ordered : rest).add(a);
        }
        ordered.addAll(rest);
        return ordered;
    }

    /** An id no assertion has. */
    static AssertionId unknownId() {
        return AssertionId.hashOf(new byte[] {1, 2, 3});
    }
}
