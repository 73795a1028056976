package io.stemedb.bench.compare;

import io.stemedb.bench.Workload;
import java.util.List;

/**
 * W4's data: every (subject, predicate) pair gets one claim from each of five sources, and the
 * sources disagree: each picks one of three values ({@code value-0..2}) by a seeded hash. Five votes
 * over three values split 5, 4-1, 3-2, 3-1-1 or 2-2-1; the 2-2-1 ties exercise the majority lens's
 * tie-break (the value with the newest supporter). {@code n} claims over {@code n / 25} subjects ({@code entity-%08d}) x the five
 * predicates of {@link Workload}; source {@code r} (in {@link #SOURCES} order) sends round
 * {@code r}, each round in a scattered pair order. Thread-safe (immutable).
 */
public final class ConflictWorkload {
    /** The five sources, most trusted first: the ranking W4's trust lens uses. */
    public static final List<String> SOURCES = List.of("registry", "crm", "erp", "web", "ops");
    static final int VALUES = 3;

    private final long n;
    private final long seed;
    private final long pairs;
    private final long multiplier;

    public ConflictWorkload(long n, long seed) {
        if (n < 25 || n % 25 != 0) {
            throw new IllegalArgumentException("the conflict set needs a multiple of 25 claims (5 predicates x 5 sources), got " + n);
        }
        this.n = n;
        this.seed = seed;
        this.pairs = n / SOURCES.size();
        long a = (long) (pairs * 0.6180339887) | 1;
        while (gcd(a, pairs) != 1) {
            a += 2;
        }
        this.multiplier = a % pairs == 0 ? 1 : a % pairs;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    public long n() {
        return n;
    }

    public long pairs() {
        return pairs;
    }

    public long subjects() {
        return pairs / Workload.PREDICATES.length;
    }

    public long pairOf(long i) {
        return (multiplier * (i % pairs)) % pairs;
    }

    public String subjectOf(long pair) {
        return Workload.subjectName(Workload.subjectOfPair(pair));
    }

    public String predicateOf(long pair) {
        return Workload.PREDICATES[Workload.predicateOfPair(pair)];
    }

    public String sourceOf(long i) {
        return SOURCES.get((int) (i / pairs));
    }

    public String valueOf(long i) {
        return "value-" + Long.remainderUnsigned(Workload.mix64(seed * 31 + pairOf(i) * 7 + i / pairs), VALUES);
    }

    public String describeLine() {
        return String.format("%,d claims, %,d subjects x %d predicates, one claim per (subject, predicate) from each of %d sources "
                + "(%s, trust ranking in that order), each picking one of %d text values (value-0..2) by a seeded hash, seed %d",
                n, subjects(), Workload.PREDICATES.length, SOURCES.size(), String.join(", ", SOURCES), VALUES, seed);
    }
}
