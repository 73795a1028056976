package io.stemedb.storage;

import io.stemedb.crdt.ErasedClaim;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.ByteSink;
import io.stemedb.model.CanonicalCodec;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * What the RocksDB engine keeps of erasure (docs/format.md, "Erasure records and marks"), in the
 * meta family, beside the records of format 2:
 * <pre>
 * 0xE1 u64 sequence          -> an erasure's canonical record (its log entry is kind 4, AT_ERASURE)
 * 0xE2 id(32)                -> mark: erasure id(32) fact key(16)   (the claim's content is erased)
 * 0xE3 fact key(16) id(32)   -> erasure id(32)                      (the erased claims of a fact)
 * 0xE4                       -> u64 sequence: an erasure's physical cleanup (flush, compaction) is pending
 * </pre>
 * The erasures themselves are few and held in memory ({@link ErasureRules}); the marks stay on
 * disk, with the fact keys that have any in memory, so that reading a fact with no erased claim
 * costs nothing more. Thread-safe: the marks are written by the engine's serialized commits, read
 * by anyone.
 */
final class RocksErasures {
    static final byte RECORD = (byte) 0xE1;
    static final byte MARK = (byte) 0xE2;
    static final byte FACT_MARK = (byte) 0xE3;
    static final byte[] CLEANUP_PENDING = {(byte) 0xE4};

    private final RocksStore store;
    private final ErasureRules rules = new ErasureRules();
    /** The fact keys of facts with erased claims. */
    private final Set<FactCache.Fact> factsWithErased = ConcurrentHashMap.newKeySet();
    private final AtomicLong marks = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** Loads the erasures and the facts with marks of {@code store}: one scan of each, only on a database that erased. */
    RocksErasures(RocksStore store) {
        this.store = store;
        if (!store.erasureFormat()) {
            return;
        }
        List<Erasure> loaded = new ArrayList<>();
        store.scan(store.meta(), new byte[] {RECORD}, (key, value) -> {
            Assertion a = CanonicalCodec.decodeTrusted(value);
            if (!(a instanceof Erasure e)) {
                throw new StorageException.Corruption("the erasure record of sequence " + Keys.trailingSequence(key)
                        + " holds a " + a.getClass().getSimpleName() + "; run verify and restore from a backup", null);
            }
            loaded.add(e);
            return true;
        });
        rules.add(loaded);
        store.scan(store.meta(), new byte[] {FACT_MARK}, (key, value) -> {
            factsWithErased.add(FactCache.Fact.of(Arrays.copyOfRange(key, 1, 1 + Keys.FACT_KEY_BYTES)));
            marks.incrementAndGet();
            return true;
        });
    }

    ErasureRules rules() {
        return rules;
    }

    static byte[] recordKey(long sequence) {
        return new ByteSink(9).u8(RECORD).u64(sequence).toByteArray();
    }

    static byte[] markKey(AssertionId id) {
        return new ByteSink(33).u8(MARK).id(id).toByteArray();
    }

    static byte[] factMarkKey(byte[] factKey, AssertionId id) {
        return new ByteSink(49).u8(FACT_MARK).raw(factKey).id(id).toByteArray();
    }

    /** Whether anything was ever erased here: when not, a commit asks nothing of erasure. */
    boolean any() {
        return !rules.isEmpty();
    }

    /** The erasure whose mark {@code id} carries, or null. */
    Erasure markOf(AssertionId id) {
        if (!any()) {
            return null;
        }
        byte[] mark = store.get(store.meta(), markKey(id));
        return mark == null ? null : erasure(AssertionId.fromBytes(mark, 0));
    }

    private Erasure erasure(AssertionId id) {
        Erasure e = rules.byId(id);
        if (e == null) {
            throw new StorageException.Corruption("a mark names erasure " + id + ", which is not stored; run verify and "
                    + "restore from a backup", null);
        }
        return e;
    }

    /** Writes, in {@code wb}, the mark of claim {@code id} of the fact {@code factKey}, erased by {@code by}. */
    void mark(WriteBatch wb, AssertionId id, byte[] factKey, Erasure by) throws RocksDBException {
        wb.put(store.meta(), markKey(id), new ByteSink(48).id(by.id()).raw(factKey).toByteArray());
        wb.put(store.meta(), factMarkKey(factKey, id), by.id().toBytes());
    }

    /** After a commit that wrote {@code marked} marks in facts {@code facts} and stored {@code erasures}. */
    void committed(List<Erasure> erasures, List<byte[]> facts, int marked) {
        if (!erasures.isEmpty()) {
            rules.add(erasures);
        }
        facts.forEach(f -> factsWithErased.add(FactCache.Fact.of(f)));
        marks.addAndGet(marked);
    }

    void refused(int count) {
        refused.addAndGet(count);
    }

    Optional<Erasure> erasedBy(AssertionId id) {
        return Optional.ofNullable(markOf(id));
    }

    /** Whether any fact here has erased claims: when not, a read asks nothing of erasure. */
    boolean anyErasedFact() {
        return !factsWithErased.isEmpty();
    }

    /** The erased claims of the fact with key {@code factKey}, in id order. */
    List<ErasedClaim> erasedOf(byte[] factKey) {
        if (!anyErasedFact() || !factsWithErased.contains(FactCache.Fact.of(factKey))) {
            return List.of();
        }
        List<ErasedClaim> erased = new ArrayList<>();
        store.scan(store.meta(), new ByteSink(17).u8(FACT_MARK).raw(factKey).toByteArray(), (key, value) -> {
            erased.add(new ErasedClaim(AssertionId.fromBytes(key, 1 + Keys.FACT_KEY_BYTES), erasure(AssertionId.fromBytes(value, 0))));
            return true;
        });
        return erased;
    }

    /** Every id marked erased, in id order. */
    List<AssertionId> erasedIds() {
        List<AssertionId> ids = new ArrayList<>();
        store.scan(store.meta(), new byte[] {MARK}, (key, value) -> {
            ids.add(AssertionId.fromBytes(key, 1));
            return true;
        });
        return ids;
    }

    ErasureStats stats() {
        return new ErasureStats(rules.size(), marks.get(), refused.get());
    }

    /** Whether the claim {@code c} must not be stored: marked, or covered by a stored erasure or one of {@code pending}. */
    Erasure refusal(Claim c, List<Erasure> pending) {
        Erasure marked = markOf(c.id());
        return marked != null ? marked : rules.covering(c, pending);
    }
}
