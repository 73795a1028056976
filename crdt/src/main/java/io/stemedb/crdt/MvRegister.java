package io.stemedb.crdt;

import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The multi-value register view of one (subject, predicate), with each source as a writer: a
 * source's newer live claim supersedes its older ones, while claims of different sources stand
 * side by side (independent witnesses are concurrent by definition). HLC timestamps cannot tell
 * causality apart from coincidence, so the register is keyed by source rather than by version
 * vectors (compare the MV-Register of Shapiro et al. 2011). Immutable and thread-safe.
 */
public final class MvRegister {
    private final SortedMap<String, Claim> heads;

    private MvRegister(SortedMap<String, Claim> heads) {
        this.heads = Collections.unmodifiableSortedMap(heads);
    }

    public static MvRegister of(Evidence evidence) {
        SortedMap<String, Claim> heads = new TreeMap<>();
        for (Claim c : evidence.live()) {
            heads.merge(c.source(), c, (a, b) -> Assertion.RECORD_ORDER.compare(a, b) >= 0 ? a : b);
        }
        return new MvRegister(heads);
    }

    /** Each source's newest live claim, by source name. */
    public SortedMap<String, Claim> heads() {
        return heads;
    }

    /** The distinct values of the heads, in {@link Value} order. */
    public SortedSet<Value> values() {
        SortedSet<Value> values = new TreeSet<>();
        heads.values().forEach(c -> values.add(c.value()));
        return Collections.unmodifiableSortedSet(values);
    }

    /** True when the heads disagree. */
    public boolean isConflicted() {
        return values().size() > 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MvRegister && heads.equals(((MvRegister) o).heads);
    }

    @Override
    public int hashCode() {
        return heads.hashCode();
    }

    @Override
    public String toString() {
        return "MvRegister" + heads;
    }
}
