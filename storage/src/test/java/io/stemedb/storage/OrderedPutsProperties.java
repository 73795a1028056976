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
 * is what a batch writes when one key is put twice); a batch's fact appends come out of
 * {@link FactAppends} in the byte order of their fact keys.
 */
class OrderedPutsProperties {
    /**
     * Keys over few byte values, signed and unsigned alike, so that equal keys and prefixes are
     * common: a few heads (none, zeros, ones, 0xff) cut to any length up to 9 bytes, then up to
     * four more bytes, so that keys shorter than, as long as and longer than the eight bytes the
     * sort compares first share those bytes and differ after them.
     */
    @Provide
    Arbitrary<List<Object[]>> puts() {
        Arbitrary<byte[]> heads = Arbitraries.of(new byte[0], new byte[9], new byte[] {1, 1, 1, 1, 1, 1, 1, 1, 1},
                new byte[] {-1, -1, -1, -1, -1, -1, -1, 0, -1}).flatMap(h -> Arbitraries.integers().between(0, h.length)
                        .map(n -> Arrays.copyOf(h, n)));
        Arbitrary<byte[]> tails = Arbitraries.of((byte) 0, (byte) 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff).list().ofMaxSize(4)
                .map(list -> {
                    byte[] tail = new byte[list.size()];
                    for (int i = 0; i < tail.length; i++) {
                        tail[i] = list.get(i);
                    }
                    return tail;
                });
        Arbitrary<byte[]> keys = Combinators.combine(heads, tails).as((h, t) -> {
            byte[] key = Arrays.copyOf(h, h.length + t.length);
            System.arraycopy(t, 0, key, h.length, t.length);
            return key;
        });
        Arbitrary<Family> families = Arbitraries.of(Family.class);
        return Combinators.combine(families, keys).as((f, k) -> new Object[] {f, k}).list().ofMaxSize(200);
    }

    /** Fact keys over few byte values in each half, so that keys sharing their first eight bytes are common. */
    @Provide
    Arbitrary<List<byte[]>> factKeys() {
        return Arbitraries.of((byte) 0, (byte) 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff).array(byte[].class).ofSize(2)
                .map(b -> {
                    byte[] key = new byte[16];
                    Arrays.fill(key, 0, 8, b[0]);
                    Arrays.fill(key, 8, 16, b[1]);
                    key[15] ^= b[0];
                    return key;
                }).list().uniqueElements(Arrays::toString).ofMaxSize(40);
    }

    @Property(tries = 300)
    void factAppendsComeOutInFactKeyOrder(@ForAll("factKeys") List<byte[]> keys) {
        FactAppends appends = new FactAppends(keys.size());
        for (byte[] k : keys) {
            appends.entriesOf(k);
        }
        List<FactAppends.Append> out = appends.inKeyOrder();
        assertEquals(keys.size(), out.size());
        for (int j = 1; j < out.size(); j++) {
            assertTrue(Arrays.compareUnsigned(out.get(j - 1).factKey(), out.get(j).factKey()) < 0,
                    "in unsigned key order: " + Arrays.toString(out.get(j - 1).factKey()) + " then " + Arrays.toString(out.get(j).factKey()));
        }
    }

    @Property(tries = 1000)
    void putsComeOutGroupedByFamilyInKeyOrderEqualKeysAsPut(@ForAll("puts") List<Object[]> made) {
        OrderedPuts puts = new OrderedPuts();
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
