package io.stemedb.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Puts gathered for one write batch and added to it in key order, family by family.
 *
 * <p>Design note. RocksDB's memtable is a skip list (Pugh, "Skip Lists: A Probabilistic
 * Alternative to Balanced Trees", 1990) that keeps the path of its last insert, a search finger
 * it calls the splice: an insert whose key follows the previous one's starts from that path and
 * recomputes only its lowest levels, while an insert at a random place searches from the top,
 * missing the CPU cache at most levels. Assertion ids, fact keys and value keys are hashes or
 * arrive in no order, so a commit of 1,000 claims inserted them at random: perf of W1 (200,000
 * claims, fsync per 1,000) put a fifth of the CPU of the committing thread and of the indexer in
 * that search. In key order, consecutive inserts into the same family land close together.
 * The order of a batch's puts to distinct keys does not change what the batch writes; puts to one
 * key keep their order (the sort is stable).
 *
 * <p>Not thread-safe: one belongs to one batch, or one run of the indexer, under construction.
 */
final class OrderedPuts {
    /**
     * By key, within one family (each family's puts are kept and sorted apart): first by the keys'
     * first eight bytes, held in each put as a number compared unsigned, and only when those are
     * equal by the arrays. A commit's keys (ids,
     * sequences) differ in their first eight bytes, and comparing them as arrays (two reads
     * through references and a mismatch search) was most of its sorting: JFR samples of the
     * committing thread in sorts, W1's 200,000 claims ten times, 62-71 before, 42-54 after (with
     * {@link FactAppends#inKeyOrder} comparing fact keys as two numbers too). The indexer's keys
     * (by source, by value, subjects) mostly share their first bytes and gain nothing (93-115
     * samples against 99-111).
     */
    private static final Comparator<Put> ORDER = (x, y) ->
            x.head != y.head ? Long.compareUnsigned(x.head, y.head) : Arrays.compareUnsigned(x.key, y.key);

    /** A put, with {@code head} the first eight bytes of its key, big-endian, zeros after a shorter key. */
    record Put(Family family, byte[] key, byte[] value, long head) {
        Put(Family family, byte[] key, byte[] value) {
            this(family, key, value, head(key));
        }

        private static long head(byte[] key) {
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = h << 8 | (i < key.length ? key[i] & 0xff : 0);
            }
            return h;
        }
    }

    /** The puts of each family, by ordinal. */
    private final List<List<Put>> byFamily = new ArrayList<>();
    /** How many of each family's puts, from the first, are sorted: {@link #sortRecent}. */
    private final int[] sortedTo = new int[Family.values().length];

    OrderedPuts() {
        for (int f = 0; f < Family.values().length; f++) {
            byFamily.add(new ArrayList<>());
        }
    }

    void put(Family family, byte[] key, byte[] value) {
        byFamily.get(family.ordinal()).add(new Put(family, key, value));
    }

    /** Forgets the gathered puts. */
    void clear() {
        byFamily.forEach(List::clear);
        java.util.Arrays.fill(sortedTo, 0);
    }

    /**
     * Sorts the puts since the last call, apart: while they are still in the CPU cache. Sorting a
     * whole run of the indexer at once compared puts scattered over tens of megabytes of heap, a
     * cache miss each (JFR of W1: half the indexer's samples in the sort's merges, session 22);
     * the final {@link #ordered} then merges sorted stretches, which its sort finds as they are
     * (Timsort's runs), in a few passes.
     */
    void sortRecent() {
        for (int f = 0; f < sortedTo.length; f++) {
            List<Put> puts = byFamily.get(f);
            puts.subList(sortedTo[f], puts.size()).sort(ORDER);
            sortedTo[f] = puts.size();
        }
    }

    /** Adds the gathered puts to {@code wb} in {@link #ordered} order, and forgets them. */
    void addTo(RocksStore store, WriteBatch wb) throws RocksDBException {
        for (Put p : ordered()) {
            wb.put(store.handle(p.family), p.key, p.value);
        }
        clear();
    }

    /** The gathered puts by family, in unsigned byte order of their keys within one (RocksDB's order), equal keys as put. */
    List<Put> ordered() {
        int size = 0;
        for (List<Put> puts : byFamily) {
            puts.sort(ORDER);
            size += puts.size();
        }
        List<Put> all = new ArrayList<>(size);
        byFamily.forEach(all::addAll);
        return all;
    }
}
