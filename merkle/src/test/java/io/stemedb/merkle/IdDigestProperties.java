package io.stemedb.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.IdDigest;
import io.stemedb.model.AssertionId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The laws the sync protocol relies on: a digest of a set does not depend on order, and adds up over disjoint unions. */
class IdDigestProperties {

    @Provide
    Arbitrary<AssertionId> ids() {
        return Arbitraries.bytes().array(byte[].class).ofSize(32).map(AssertionId::fromBytes)
                .edgeCases(c -> {
                    c.add(AssertionId.fromBytes(new byte[32]));
                    byte[] ff = new byte[32];
                    Arrays.fill(ff, (byte) 0xff);
                    c.add(AssertionId.fromBytes(ff));
                });
    }

    @Provide
    Arbitrary<Set<AssertionId>> idSets() {
        return ids().set().ofMaxSize(60);
    }

    @Property(tries = 300)
    void theOrderOfAdditionsDoesNotMatter(@ForAll("idSets") Set<AssertionId> ids, @ForAll long seed) {
        List<AssertionId> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, new Random(seed));
        IdDigest one = IdDigest.of(ids);
        assertEquals(one, IdDigest.of(shuffled));
        IdDigest stepwise = IdDigest.empty();
        for (AssertionId id : shuffled) {
            stepwise = stepwise.plus(id);
        }
        assertEquals(one, stepwise);
        assertArrayEquals(one.fingerprint(), stepwise.fingerprint());
        assertEquals(ids.size(), one.count());
    }

    @Property(tries = 300)
    void theDigestOfADisjointUnionIsTheSumOfTheDigests(@ForAll("idSets") Set<AssertionId> a,
            @ForAll("idSets") Set<AssertionId> b) {
        Set<AssertionId> bOnly = new LinkedHashSet<>(b);
        bOnly.removeAll(a);
        Set<AssertionId> union = new LinkedHashSet<>(a);
        union.addAll(bOnly);
        assertEquals(IdDigest.of(union), IdDigest.of(a).plus(IdDigest.of(bOnly)));
        assertEquals(IdDigest.of(union), IdDigest.of(bOnly).plus(IdDigest.of(a)));
        assertEquals(IdDigest.of(a), IdDigest.of(a).plus(IdDigest.empty()));
        assertEquals(IdDigest.of(a), IdDigest.empty().plus(IdDigest.of(a)));
    }

    @Property(tries = 300)
    void bytesRoundTrip(@ForAll("idSets") Set<AssertionId> ids) {
        IdDigest d = IdDigest.of(ids);
        byte[] bytes = d.toBytes();
        assertEquals(IdDigest.ENCODED_LENGTH, bytes.length);
        IdDigest back = IdDigest.fromBytes(bytes);
        assertEquals(d, back);
        assertEquals(d.hashCode(), back.hashCode());
        assertArrayEquals(d.fingerprint(), back.fingerprint());
        assertEquals(IdDigest.FINGERPRINT_LENGTH, d.fingerprint().length);
    }

    @Property(tries = 300)
    void addingAnIdNotInTheSetChangesTheFingerprint(@ForAll("idSets") Set<AssertionId> ids, @ForAll("ids") AssertionId extra) {
        if (ids.contains(extra)) {
            return;
        }
        IdDigest d = IdDigest.of(ids);
        IdDigest more = d.plus(extra);
        assertEquals(d.count() + 1, more.count());
        assertFalse(Arrays.equals(d.fingerprint(), more.fingerprint()));
    }

    @Test
    void theSumWrapsModulo2To256AndTheCountTellsEqualSumsApart() {
        byte[] ff = new byte[32];
        Arrays.fill(ff, (byte) 0xff);
        byte[] one = new byte[32];
        one[31] = 1;
        // ff..ff + 00..01 = 0 (mod 2^256): the same sum as the empty set, but two ids, not none.
        IdDigest wrapped = IdDigest.of(List.of(AssertionId.fromBytes(ff), AssertionId.fromBytes(one)));
        assertArrayEquals(new byte[32], Arrays.copyOf(wrapped.toBytes(), 32));
        assertEquals(2, wrapped.count());
        assertFalse(wrapped.equals(IdDigest.empty()));
        assertFalse(Arrays.equals(wrapped.fingerprint(), IdDigest.empty().fingerprint()));
        assertTrue(IdDigest.empty().isEmpty());
    }

    @Test
    void malformedBytesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> IdDigest.fromBytes(new byte[39]));
        assertThrows(IllegalArgumentException.class, () -> IdDigest.fromBytes(new byte[41]));
        byte[] negative = new byte[40];
        negative[32] = (byte) 0x80;
        assertThrows(IllegalArgumentException.class, () -> IdDigest.fromBytes(negative));
    }
}
