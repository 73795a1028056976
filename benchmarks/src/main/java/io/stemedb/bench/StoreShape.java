package io.stemedb.bench;

import io.stemedb.Durability;
import io.stemedb.StemeDB;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * What StemeDB's RocksDB engine writes per assertion, measured rather than assumed: for each
 * predicate of the {@link Workload}, a small StemeDB database receives {@value #SAMPLE} claims of
 * that predicate in one batch, and its column families are then read back raw, counting entries
 * and key and value bytes. The raw baseline replays exactly these counts and sizes, so it follows
 * the engine if its layout changes (a new index, a longer key). The meta record rewritten by every
 * commit (key {@code state} of the default family) is measured apart: it is written once per batch.
 * Which families the engine's indexer writes behind the commits ({@link #INDEXED_FAMILIES}) is
 * its layout's choice (docs/format.md, storage's {@code Family}), named here because it cannot be
 * measured from the stored bytes.
 */
public final class StoreShape {
    static final int SAMPLE = 500;
    static final String STATE_KEY = "state";
    /** The families StemeDB's indexer writes behind the commits (storage's {@code Family.Writer.INDEXER}). */
    static final java.util.Set<String> INDEXED_FAMILIES = java.util.Set.of("assertions", "sources", "values", "digests");

    /** One column family: per predicate, entries per assertion and their key and value sizes, and who writes it. */
    record Family(String name, int[] entries, int[] keyBytes, int[] valueBytes, boolean indexed) {}

    private final List<Family> families;
    private final int stateKeyBytes;
    private final int stateValueBytes;
    private final List<String> warnings;

    private final int[] recordBytes;

    private StoreShape(List<Family> families, int[] recordBytes, int stateKeyBytes, int stateValueBytes, List<String> warnings) {
        this.families = families;
        this.recordBytes = recordBytes;
        this.stateKeyBytes = stateKeyBytes;
        this.stateValueBytes = stateValueBytes;
        this.warnings = warnings;
    }

    List<Family> families() {
        return families;
    }

    int stateKeyBytes() {
        return stateKeyBytes;
    }

    int stateValueBytes() {
        return stateValueBytes;
    }

    /** The canonical record size of a claim of {@code predicate}. */
    int recordBytes(int predicate) {
        return recordBytes[predicate];
    }

    /** The key size of the {@code facts} family: a fact key. */
    int factKeyBytes() {
        return facts().keyBytes()[0];
    }

    /** The bytes one claim of {@code predicate} adds to its fact's value. */
    int factEntryBytes(int predicate) {
        return facts().valueBytes()[predicate];
    }

    private Family facts() {
        for (Family f : families) {
            if (f.name().equals("facts")) {
                return f;
            }
        }
        throw new IllegalStateException("StemeDB's store has no facts column family; the raw baseline needs one");
    }

    /** Measures the engine in scratch directories under {@code scratch}, which it deletes. */
    public static StoreShape calibrate(Workload w, Path scratch) throws IOException, RocksDBException {
        int predicates = Workload.PREDICATES.length;
        Map<String, int[][]> sizes = new LinkedHashMap<>(); // family -> {entries[], keyBytes[], valueBytes[]}
        List<String> warnings = new ArrayList<>();
        int stateKey = 0;
        int stateValue = 0;
        int[] records = new int[predicates];
        for (int p = 0; p < predicates; p++) {
            Path dir = scratch.resolve("calibrate-" + Workload.PREDICATES[p]);
            Directories.deleteTree(dir);
            final int predicate = p;
            try (StemeDB db = StemeDB.builder().durability(Durability.syncEvery(Duration.ofSeconds(1))).open(dir)) {
                db.write(batch -> {
                    int found = 0;
                    for (long i = 0; found < SAMPLE && i < w.n(); i++) {
                        long pair = w.pairOf(i);
                        if (Workload.predicateOfPair(pair) == predicate) {
                            Value v = w.valueOf(i, predicate);
                            records[predicate] = Claim.builder(Workload.subjectName(Workload.subjectOfPair(pair)),
                                    Workload.PREDICATES[predicate], v).source(Workload.SOURCES[w.sourceOf(i)])
                                    .hlc(Hlc.of(1_700_000_000_000L, 0, 1)).build().canonicalBytes().length;
                            batch.assertion(Workload.subjectName(Workload.subjectOfPair(pair)), Workload.PREDICATES[predicate], v)
                                    .source(Workload.SOURCES[w.sourceOf(i)]);
                            found++;
                        }
                    }
                    if (found < SAMPLE) {
                        throw new IllegalStateException("the workload is too small to calibrate: " + found + " claims of "
                                + Workload.PREDICATES[predicate]);
                    }
                });
            }
            try (RocksOptions options = new RocksOptions(false)) {
                List<String> names = RocksOptions.familiesOf(dir);
                List<ColumnFamilyHandle> handles = new ArrayList<>();
                try (RocksDB db = RocksDB.openReadOnly(options.dbOptions, dir.toString(), options.descriptors(names), handles)) {
                    try {
                        for (int f = 0; f < names.size(); f++) {
                            String name = names.get(f);
                            if (name.equals("default")) {
                                byte[] state = db.get(handles.get(f), STATE_KEY.getBytes(StandardCharsets.US_ASCII));
                                if (state == null) {
                                    throw new IllegalStateException("StemeDB's store has no '" + STATE_KEY
                                            + "' record in its default column family; update StoreShape");
                                }
                                stateKey = STATE_KEY.length();
                                stateValue = Math.max(stateValue, state.length);
                                continue;
                            }
                            long count = 0;
                            long keyBytes = 0;
                            long valueBytes = 0;
                            int minKey = Integer.MAX_VALUE;
                            int maxKey = 0;
                            try (RocksIterator it = db.newIterator(handles.get(f))) {
                                for (it.seekToFirst(); it.isValid(); it.next()) {
                                    int k = it.key().length;
                                    count++;
                                    keyBytes += k;
                                    valueBytes += it.value().length;
                                    minKey = Math.min(minKey, k);
                                    maxKey = Math.max(maxKey, k);
                                }
                                it.status();
                            }
                            int[][] s = sizes.computeIfAbsent(name, x -> new int[3][predicates]);
                            if (count % SAMPLE != 0) {
                                warnings.add(String.format("family %s holds %d entries for %d %s claims: not a whole number "
                                        + "per claim; the baseline rounds", name, count, SAMPLE, Workload.PREDICATES[p]));
                            }
                            if (count > 0 && minKey != maxKey) {
                                warnings.add(String.format("family %s: %s keys are %d..%d bytes; the baseline uses the mean",
                                        name, Workload.PREDICATES[p], minKey, maxKey));
                            }
                            s[0][p] = (int) Math.round((double) count / SAMPLE);
                            s[1][p] = count == 0 ? 0 : (int) Math.round((double) keyBytes / count);
                            s[2][p] = count == 0 ? 0 : (int) Math.round((double) valueBytes / count);
                        }
                    } finally {
                        handles.forEach(ColumnFamilyHandle::close);
                    }
                }
            }
            Directories.deleteTree(dir);
        }
        List<Family> families = new ArrayList<>();
        sizes.forEach((name, s) -> families.add(new Family(name, s[0], s[1], s[2], INDEXED_FAMILIES.contains(name))));
        return new StoreShape(families, records, stateKey, stateValue, warnings);
    }

    /** Entries, key bytes and value bytes written per claim, averaged over the predicates (equal shares). */
    double[] perAssertionTotals() {
        double entries = 0;
        double bytes = 0;
        int predicates = Workload.PREDICATES.length;
        for (Family f : families) {
            for (int p = 0; p < predicates; p++) {
                entries += (double) f.entries()[p] / predicates;
                bytes += (double) f.entries()[p] * (f.keyBytes()[p] + f.valueBytes()[p]) / predicates;
            }
        }
        return new double[] {entries, bytes};
    }

    Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, Object> fams = new LinkedHashMap<>();
        for (Family f : families) {
            Map<String, Object> fm = new LinkedHashMap<>();
            for (int p = 0; p < Workload.PREDICATES.length; p++) {
                fm.put(Workload.PREDICATES[p], Map.of("entries", f.entries()[p], "keyBytes", f.keyBytes()[p],
                        "valueBytes", f.valueBytes()[p]));
            }
            fm.put("writtenBy", f.indexed() ? "indexer" : "commit");
            fams.put(f.name(), fm);
        }
        d.put("perAssertion", fams);
        d.put("perBatch", Map.of("family", "default", "key", STATE_KEY, "keyBytes", stateKeyBytes, "valueBytes", stateValueBytes));
        double[] t = perAssertionTotals();
        d.put("entriesPerAssertion", t[0]);
        d.put("keyAndValueBytesPerAssertion", t[1]);
        d.put("warnings", warnings);
        return d;
    }

    String describeText() {
        StringBuilder s = new StringBuilder("StemeDB writes per claim (measured; key/value bytes for ");
        s.append(String.join("|", Workload.PREDICATES)).append("):\n");
        for (Family f : families) {
            s.append(String.format("  %-12s%s", f.name(), f.indexed() ? " (indexer)" : ""));
            boolean any = false;
            for (int p = 0; p < Workload.PREDICATES.length; p++) {
                if (f.entries()[p] > 0) {
                    any = true;
                }
            }
            if (!any) {
                s.append(" (none)\n");
                continue;
            }
            for (int p = 0; p < Workload.PREDICATES.length; p++) {
                s.append(String.format(" %s%d/%d", f.entries()[p] == 1 ? "" : f.entries()[p] + "x", f.keyBytes()[p], f.valueBytes()[p]));
            }
            s.append('\n');
        }
        s.append(String.format("  per batch: default/%s %d/%d%n", STATE_KEY, stateKeyBytes, stateValueBytes));
        double[] t = perAssertionTotals();
        s.append(String.format("  = %.1f entries and %.0f key+value bytes per claim%n", t[0], t[1]));
        for (String warning : warnings) {
            s.append("  warning: ").append(warning).append('\n');
        }
        return s.toString();
    }

    static void ensureDir(Path dir) throws IOException {
        Files.createDirectories(dir);
    }
}
