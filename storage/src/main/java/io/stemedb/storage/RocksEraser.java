package io.stemedb.storage;

import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.Claim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Deletes, in one commit's write batch, every trace of the stored claims an erasure covers: their
 * entries in their facts (each fact touched is rewritten once, as a head without chunks holding
 * what remains and this commit's own entries for it), their ids, by-source entries, their log
 * entries' locations (the sequence stays taken, as {@link Keys#AT_ERASED}),
 * and the by-value and subjects entries no remaining claim of the fact still needs; and writes
 * their marks. The Merkle digests are the indexer's ({@link Indexer#removing}). A retraction
 * entry of an erased claim stays in the fact: readers pair retractions with claims by sequence
 * and skip one whose claim is gone, and the retraction itself stays stored and syncable.
 *
 * <p>Used by one commit, under the engine's commit monitor; not thread-safe.
 */
final class RocksEraser {
    private static final HexFormat HEX = HexFormat.of();
    private final RocksStore store;
    private final RocksErasures erasures;
    private final Function<byte[], byte[]> loadFact;

    /** What one commit erased: how many claims, their ids, and the facts it rewrote. */
    record Rewritten(int claims, List<AssertionId> ids, Set<FactCache.Fact> facts, List<byte[]> factKeys) {
        static final Rewritten NONE = new Rewritten(0, List.of(), Set.of(), List.of());
    }

    /** @param loadFact reads a fact's stored entries (head and chunks), null when none */
    RocksEraser(RocksStore store, RocksErasures erasures, Function<byte[], byte[]> loadFact) {
        this.store = store;
        this.erasures = erasures;
        this.loadFact = loadFact;
    }

    /**
     * Writes the erasure of {@code claims} into {@code wb}. {@code appends} holds this commit's
     * new entries per fact; those of a rewritten fact go into its new head here, and the caller
     * must not append them again.
     */
    Rewritten erase(WriteBatch wb, Collection<RocksEngine.Erased> claims, FactAppends appends) throws RocksDBException {
        Map<FactCache.Fact, List<RocksEngine.Erased>> byFact = new LinkedHashMap<>();
        Map<FactCache.Fact, byte[]> keyOf = new LinkedHashMap<>();
        for (RocksEngine.Erased e : claims) {
            FactCache.Fact fact = FactCache.Fact.of(e.at().factKey());
            byFact.computeIfAbsent(fact, f -> new ArrayList<>()).add(e);
            keyOf.putIfAbsent(fact, e.at().factKey());
        }
        List<AssertionId> ids = new ArrayList<>();
        for (Map.Entry<FactCache.Fact, List<RocksEngine.Erased>> group : byFact.entrySet()) {
            byte[] factKey = keyOf.get(group.getKey());
            rewrite(wb, factKey, group.getValue(), appends.get(group.getKey()));
            for (RocksEngine.Erased e : group.getValue()) {
                ids.add(e.claim().id());
            }
        }
        return new Rewritten(ids.size(), ids, byFact.keySet(), new ArrayList<>(keyOf.values()));
    }

    private void rewrite(WriteBatch wb, byte[] factKey, List<RocksEngine.Erased> erased, ByteSink appended) throws RocksDBException {
        Supplier<String> where = () -> "fact " + HEX.formatHex(factKey);
        Set<Long> erasedSequences = new HashSet<>();
        for (RocksEngine.Erased e : erased) {
            erasedSequences.add(e.at().sequence());
        }
        byte[] head = store.get(store.handle(Family.FACTS), factKey);
        int chunks = head == null ? 0 : FactEntries.parse(head, where).chunks();
        byte[] entries = loadFact.apply(factKey);
        ByteSink kept = new ByteSink(entries == null ? 64 : entries.length);
        List<Claim> remaining = new ArrayList<>();
        if (entries != null) {
            for (FactEntries.Entry entry : FactEntries.parse(entries, where).entries()) {
                if (entry.tag() == FactEntries.CLAIM && erasedSequences.contains(entry.sequence())) {
                    continue;
                }
                FactEntries.copy(kept, entry);
                if (entry.tag() == FactEntries.CLAIM) {
                    remaining.add((Claim) FactEntries.decode(entry, null, where));
                }
            }
        }
        if (appended != null) {
            kept.raw(appended.toByteArray());
        }
        for (int c = 1; c <= chunks; c++) {
            wb.delete(store.handle(Family.FACTS), Keys.chunkKey(factKey, c));
        }
        if (kept.size() == 0) {
            wb.delete(store.handle(Family.FACTS), factKey);
        } else {
            wb.put(store.handle(Family.FACTS), factKey, kept.toByteArray());
        }
        for (RocksEngine.Erased e : erased) {
            Claim c = e.claim();
            long sequence = e.at().sequence();
            wb.delete(store.handle(Family.IDS), c.id().toBytes());
            wb.put(store.handle(Family.LOG), Keys.sequenceKey(sequence), new byte[] {Keys.AT_ERASED});
            wb.delete(store.handle(Family.SOURCES), Keys.sourceKey(c.source(), c.hlc(), sequence));
            byte[] valueKey = Keys.valueKey(c);
            boolean valueNeeded = false;
            boolean factNeeded = false;
            for (Claim r : remaining) {
                boolean sameFact = r.subject().equals(c.subject()) && r.predicate().equals(c.predicate());
                factNeeded |= sameFact;
                valueNeeded |= sameFact && Arrays.equals(Keys.valueKey(r), valueKey);
            }
            if (!valueNeeded) {
                wb.delete(store.handle(Family.VALUES), valueKey);
            }
            if (!factNeeded) {
                wb.delete(store.handle(Family.SOURCES), Keys.subjectKey(c.subject(), c.predicate()));
            }
            erasures.mark(wb, c.id(), factKey, e.by());
        }
    }
}
