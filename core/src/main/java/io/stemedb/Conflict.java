package io.stemedb;

import io.stemedb.crdt.Evidence;
import io.stemedb.crdt.OrSetView;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.List;
import java.util.SortedSet;
import org.jspecify.annotations.Nullable;

/**
 * A (subject, predicate) whose live claims disagree: the distinct values claimed and the live
 * claims that claim them, oldest first.
 */
public record Conflict(String subject, String predicate, SortedSet<Value> values, List<Claim> claims) {

    /** The conflict in {@code evidence}, or null when its live claims agree (or there are none). */
    static @Nullable Conflict in(Evidence evidence) {
        SortedSet<Value> values = OrSetView.of(evidence).elements();
        return values.size() < 2 ? null : new Conflict(evidence.subject(), evidence.predicate(), values, evidence.live());
    }
}
