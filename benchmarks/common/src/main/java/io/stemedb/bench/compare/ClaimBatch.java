package io.stemedb.bench.compare;

import io.stemedb.bench.Workload;
import io.stemedb.model.Value;

/**
 * One batch of claims as plain Java values, what every system of the comparison ingests: subject,
 * predicate, value (a {@code String} or a {@code Long}), source and a logical time, which is the
 * claim's index in its data set (so "newest" means the same on every system: StemeDB stamps the
 * claims of a batch in order, and batches are written in index order). {@code from}/{@code to}
 * are those indices, for the raw RocksDB baseline, which writes precomputed bytes by index.
 * Not thread-safe: the runner fills one and hands it to one system at a time.
 */
public final class ClaimBatch {
    private final String[] subjects;
    private final String[] predicates;
    private final Object[] values;
    private final String[] sources;
    private final long[] times;
    private int size;
    private long from;
    private Workload workload;

    public ClaimBatch(int capacity) {
        subjects = new String[capacity];
        predicates = new String[capacity];
        values = new Object[capacity];
        sources = new String[capacity];
        times = new long[capacity];
    }

    /** Fills the batch with claims {@code from} (inclusive) to {@code to} (exclusive) of {@code w}. */
    public ClaimBatch fill(Workload w, long from, long to) {
        reset(from);
        this.workload = w;
        for (long i = from; i < to; i++) {
            long pair = w.pairOf(i);
            int p = Workload.predicateOfPair(pair);
            add(Workload.subjectName(Workload.subjectOfPair(pair)), Workload.PREDICATES[p], plain(w.valueOf(i, p)),
                    Workload.SOURCES[w.sourceOf(i)], i);
        }
        return this;
    }

    /** Fills the batch with claims {@code from} (inclusive) to {@code to} (exclusive) of the conflict set {@code c}. */
    public ClaimBatch fill(ConflictWorkload c, long from, long to) {
        reset(from);
        this.workload = null;
        for (long i = from; i < to; i++) {
            long pair = c.pairOf(i);
            add(c.subjectOf(pair), c.predicateOf(pair), c.valueOf(i), c.sourceOf(i), i);
        }
        return this;
    }

    private void reset(long from) {
        this.size = 0;
        this.from = from;
    }

    private void add(String subject, String predicate, Object value, String source, long time) {
        subjects[size] = subject;
        predicates[size] = predicate;
        values[size] = value;
        sources[size] = source;
        times[size] = time;
        size++;
    }

    /** The workload's value as the plain Java value the SQL and Datalog peers store. */
    static Object plain(Value v) {
        return v.type() == Value.Type.INTEGER ? (Object) v.asLong() : v.asText();
    }

    /** The StemeDB value of a plain one. */
    public static Value value(Object plain) {
        return plain instanceof Long ? Value.integer((Long) plain) : Value.text((String) plain);
    }

    /** The text form every system answers with, so that answers compare across systems. */
    public static String text(Value v) {
        return String.valueOf(plain(v));
    }

    public int size() {
        return size;
    }

    public long from() {
        return from;
    }

    public long to() {
        return from + size;
    }

    /** The workload this batch was filled from; null for the conflict set. */
    public Workload workload() {
        return workload;
    }

    public String subject(int k) {
        return subjects[k];
    }

    public String predicate(int k) {
        return predicates[k];
    }

    public Object value(int k) {
        return values[k];
    }

    public String source(int k) {
        return sources[k];
    }

    public long time(int k) {
        return times[k];
    }
}
