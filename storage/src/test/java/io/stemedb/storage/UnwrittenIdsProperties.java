package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link UnwrittenIds} against a model, with generations of a few ids so that they turn over and
 * are dropped often: every id committed past the indexer's watermark is found with its sequence,
 * an id at or before it is found with its sequence or not at all (the family holds it then), a
 * commit's withdrawn ids are never found, and once the watermark has passed every commit, the
 * next commit leaves only its own ids (what an erasure's commit, which waited for the indexer,
 * relies on).
 */
class UnwrittenIdsProperties {
    private static Claim claim(int i) {
        return Claim.builder("s" + i, "p", Value.integer(i)).source("src").hlc(Hlc.of(1_700_000_000_000L + i, 0, 7)).build();
    }

    @Property(tries = 300)
    void idsPastTheWatermarkAreAlwaysFound(@ForAll @IntRange(min = 1, max = 8) int generation,
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 6) Integer> commitSizes,
            @ForAll @Size(min = 40, max = 40) List<@IntRange(min = 0, max = 12) Integer> watermarkSteps,
            @ForAll @Size(min = 40, max = 40) List<Boolean> writeFails) {
        UnwrittenIds ids = new UnwrittenIds(generation);
        Map<AssertionId, Long> committed = new LinkedHashMap<>();
        List<AssertionId> withdrawn = new ArrayList<>();
        long last = 0;
        long indexed = 0;
        int made = 0;
        for (int c = 0; c < commitSizes.size(); c++) {
            indexed = Math.min(last, indexed + watermarkSteps.get(c));
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < commitSizes.get(c); i++) {
                changes.add(new Change(last + 1 + i, claim(made++)));
            }
            ids.committing(changes, indexed);
            if (writeFails.get(c)) {
                ids.withdraw(changes);
                changes.forEach(ch -> withdrawn.add(ch.assertion().id()));
            } else {
                changes.forEach(ch -> committed.put(ch.assertion().id(), ch.sequence()));
                last += changes.size();
            }
            for (Map.Entry<AssertionId, Long> e : committed.entrySet()) {
                long found = ids.sequenceOf(e.getKey());
                if (e.getValue() > indexed) {
                    assertEquals(e.getValue(), found, "sequence " + e.getValue() + " past the watermark " + indexed);
                } else {
                    assertTrue(found == e.getValue() || found == -1, "sequence " + e.getValue() + " found as " + found);
                }
            }
            for (AssertionId id : withdrawn) {
                assertEquals(-1, ids.sequenceOf(id), "a withdrawn id");
            }
        }
        List<Change> after = List.of(new Change(last + 1, claim(made)));
        ids.committing(after, last);
        for (AssertionId id : committed.keySet()) {
            assertEquals(-1, ids.sequenceOf(id), "every earlier id is written: none left in memory");
        }
        assertEquals(last + 1, ids.sequenceOf(after.get(0).assertion().id()));
    }
}
