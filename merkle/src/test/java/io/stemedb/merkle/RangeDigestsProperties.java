package io.stemedb.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The children's digests read at once are the digests of each child, above and below the bucket depth. */
class RangeDigestsProperties {

    @Property(tries = 60)
    void childrenAreTheDigestsOfEachChild(@ForAll @IntRange(max = 3000) int n,
            @ForAll @Size(max = 7) List<@IntRange(max = 15) Integer> path) {
        TestReplica replica = new TestReplica().withClaims(1, 0, n);
        byte[] nibbles = new byte[path.size()];
        for (int i = 0; i < nibbles.length; i++) {
            nibbles[i] = path.get(i).byteValue();
        }
        IdRange range = IdRange.of(nibbles);
        List<IdDigest> children = RangeDigests.children(replica, range);
        assertEquals(16, children.size());
        IdDigest sum = IdDigest.empty();
        for (int i = 0; i < 16; i++) {
            IdRange child = range.child(i);
            List<AssertionId> inChild = replica.snapshot().keySet().stream().filter(child::contains).toList();
            assertEquals(IdDigest.of(inChild), children.get(i), "child " + child);
            assertEquals(RangeDigests.of(replica, child), children.get(i), "child " + child);
            sum = sum.plus(children.get(i));
        }
        assertEquals(RangeDigests.of(replica, range), sum);
    }
}
