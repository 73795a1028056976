package io.stemedb.bench;

import io.stemedb.Batch;
import io.stemedb.model.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data every benchmark writes and reads: {@code n} claims over {@code n / 10} subjects and
 * five predicates, so that each (subject, predicate) pair gets exactly two claims (n a multiple of
 * 10; otherwise the last pairs get one). Deterministic from the seed and computed per index, so a
 * run of ten million holds nothing in memory.
 *
 * <ul>
 *   <li>Subjects {@code entity-%08d} (15 bytes).</li>
 *   <li>Predicates {@code name} (20-byte text, unique), {@code status} (6-byte text, one of 4),
 *       {@code score} (integer 0..999), {@code owner} (10-byte text {@code owner-%04d}, one of
 *       1,000), {@code updated} (integer, epoch millis).</li>
 *   <li>Sources {@code crm}, {@code erp}, {@code web}, {@code ops}, picked per claim by the
 *       seeded hash. No confidence, no valid time, no metadata.</li>
 *   <li>Arrival order: the first n/2 claims give every pair its first claim, the last n/2 its
 *       second, each half in a scattered order (an affine permutation of the pairs), so writes hit
 *       subjects all over the key space, as independent sources would.</li>
 * </ul>
 * Thread-safe (immutable).
 */
public final class Workload {
    public static final String[] PREDICATES = {"name", "status", "score", "owner", "updated"};
    public static final String[] SOURCES = {"crm", "erp", "web", "ops"};
    static final String[] STATUSES = {"active", "paused", "closed", "opened"};
    static final int OWNERS = 1000;
    private static final long UPDATED_BASE = 1_700_000_000_000L;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final long n;
    private final long seed;
    private final long subjects;
    private final long pairs;
    private final long[] multipliers = new long[2];
    private final long[] offsets = new long[2];

    public Workload(long n, long seed) {
        if (n < 10) {
            throw new IllegalArgumentException("n must be at least 10, got " + n);
        }
        this.n = n;
        this.seed = seed;
        this.subjects = (n + 9) / 10;
        this.pairs = subjects * PREDICATES.length;
        for (int round = 0; round < 2; round++) {
            long a = (long) (pairs * (round == 0 ? 0.6180339887 : 0.7548776662)) | 1;
            while (gcd(a, pairs) != 1) {
                a += 2;
            }
            multipliers[round] = a % pairs == 0 ? 1 : a % pairs;
            offsets[round] = Math.floorMod(mix64(seed + round), pairs);
        }
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** The splitmix64 finalizer: a cheap, good 64-bit mix. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    public long n() {
        return n;
    }

    public long seed() {
        return seed;
    }

    public long subjects() {
        return subjects;
    }

    /** The number of (subject, predicate) pairs. */
    public long pairs() {
        return pairs;
    }

    /** The (subject, predicate) pair of claim {@code i}: subject = pair / 5, predicate = pair % 5. */
    public long pairOf(long i) {
        long round = i / pairs;
        long pos = i % pairs;
        int r = (int) Math.min(round, 1);
        return (multipliers[r] * pos + offsets[r]) % pairs;
    }

    public static long subjectOfPair(long pair) {
        return pair / PREDICATES.length;
    }

    public static int predicateOfPair(long pair) {
        return (int) (pair % PREDICATES.length);
    }

    /** The seeded hash of claim {@code i}, from which its source and value are drawn. */
    public long hashOf(long i) {
        return mix64(seed * 0x9e3779b97f4a7c15L + i);
    }

    public int sourceOf(long i) {
        return (int) (hashOf(i) >>> 62);
    }

    /** The value of claim {@code i}, whose predicate is {@code predicate}. */
    public Value valueOf(long i, int predicate) {
        long h = hashOf(i);
        switch (predicate) {
            case 0:
                return Value.text(nameText(h));
            case 1:
                return Value.text(STATUSES[(int) ((h >>> 8) & 3)]);
            case 2:
                return Value.integer((h >>> 16) % 1000);
            case 3:
                return Value.text(ownerText((int) ((h >>> 24) % OWNERS)));
            case 4:
                return Value.integer(UPDATED_BASE + i * 1000L);
            default:
                throw new IllegalArgumentException("predicate " + predicate);
        }
    }

    /** "Name " and 15 hex digits: 20 bytes. */
    static String nameText(long h) {
        char[] c = new char[20];
        c[0] = 'N';
        c[1] = 'a';
        c[2] = 'm';
        c[3] = 'e';
        c[4] = ' ';
        for (int k = 19; k >= 5; k--) {
            c[k] = HEX[(int) (h & 15)];
            h >>>= 4;
        }
        return new String(c);
    }

    public static String ownerText(int owner) {
        return "owner-" + pad(owner, 4);
    }

    /** {@code entity-%08d}, without String.format's cost. */
    public static String subjectName(long subject) {
        return "entity-" + pad(subject, 8);
    }

    private static String pad(long v, int width) {
        char[] c = new char[width];
        for (int k = width - 1; k >= 0; k--) {
            c[k] = (char) ('0' + (v % 10));
            v /= 10;
        }
        return new String(c);
    }

    /** Adds claims {@code from} (inclusive) to {@code to} (exclusive) to a StemeDB batch. */
    public void fill(Batch batch, long from, long to) {
        for (long i = from; i < to; i++) {
            long pair = pairOf(i);
            int p = predicateOfPair(pair);
            batch.assertion(subjectName(subjectOfPair(pair)), PREDICATES[p], valueOf(i, p)).source(SOURCES[sourceOf(i)]);
        }
    }

    /** What the output states about the data. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("assertions", n);
        d.put("seed", seed);
        d.put("subjects", subjects);
        d.put("subjectFormat", "entity-%08d (15 bytes)");
        d.put("predicates", String.join(",", PREDICATES));
        d.put("pairs", pairs);
        d.put("claimsPerPair", (double) n / pairs);
        d.put("sources", String.join(",", SOURCES));
        d.put("values", "name: 20-byte text (unique); status: 6-byte text (1 of 4); score: integer 0..999; "
                + "owner: 10-byte text (1 of 1,000); updated: integer epoch millis");
        d.put("optionalFields", "none (no confidence, valid time or metadata)");
        d.put("order", "round 1 gives every pair its first claim, round 2 its second, each round in a scattered "
                + "(affine permutation) pair order");
        return d;
    }

    public String describeLine() {
        return String.format("%,d claims, %,d subjects (entity-%%08d) x %d predicates (%s), %.1f claims per pair, "
                + "%d sources (%s), values: 20 B text | 6 B text | int | 10 B text | int, seed %d",
                n, subjects, PREDICATES.length, String.join(",", PREDICATES), (double) n / pairs, SOURCES.length,
                String.join(",", SOURCES), seed);
    }
}
