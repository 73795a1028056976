package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A batch's puts come out of {@link OrderedPuts} all of them, once each, grouped by family, in
 * RocksDB's byte order within a family, and puts to one key in the order they were made (which
 * is what a batch writes when one key is put twice).
 */
class OrderedPutsProperties {
    /** Short keys over few byte values, signed and unsigned alike, so that equal keys and prefixes are common. */
    @Provide
    Arbitrary<List<Object[]>> puts() {
        Arbitrary<byte[]> keys = Arbitraries.of((byte) 0, (byte) 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff).list().ofMaxSize(4)
                .map(list -> {
                    byte[] key = new byte[list.size()];
                    for (int i = 0; i < key.length; i++) {
                        key[i] = list.get(i);
                    }
                    return key;
                });
        Arbitrary<Family> families = Arbitraries.of(Family.class);
        return Combinators.combine(families, keys).as((f, k) -> new Object[] {f, k}).list().ofMaxSize(200);
    }

    @Property(tries = 1000)
    void putsComeOutGroupedByFamilyInKeyOrderEqualKeysAsPut(@ForAll("puts") List<Object[]> made) {
        OrderedPuts puts = new OrderedPuts(made.size());
        for (int i = 0; i < made.size(); i++) {
            // the value is the put's number, to tell equal keys apart
            puts.put((Family) made.get(i)[0], (byte[]) made.get(i)[1], new byte[] {(byte) (i >>> 8), (byte) i});
        }
        List<OrderedPuts.Put> out = new ArrayList<>(puts.ordered());

        assertEquals(made.size(), out.size());
        boolean[] seen = new boolean[made.size()];
        for (OrderedPuts.Put p : out) {
            int i = ((p.value()[0] & 0xff) << 8) | (p.value()[1] & 0xff);
            assertTrue(!seen[i] && made.get(i)[0] == p.family() && made.get(i)[1] == p.key(), "put " + i + " once, as made");
            seen[i] = true;
        }
        for (int j = 1; j < out.size(); j++) {
            OrderedPuts.Put a = out.get(j - 1);
            OrderedPuts.Put b = out.get(j);
            assertTrue(a.family().ordinal() <= b.family().ordinal(), "grouped by family");
            if (a.family() == b.family()) {
                int c = Arrays.compareUnsigned(a.key(), b.key());
                assertTrue(c < 0 || c == 0 && Arrays.compareUnsigned(a.value(), b.value()) < 0,
                        "in unsigned key order, equal keys as put: " + Arrays.toString(a.key()) + " then " + Arrays.toString(b.key()));
            }
        }
    }
}
