package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The bulk loader's key sort orders keys as RocksDB does: unsigned bytes, a prefix before the keys it begins. */
class KeyArenaProperties {
    /** Keys from a small alphabet with zero bytes, so that prefixes, ties and equal keys are common. */
    @Provide
    Arbitrary<List<byte[]>> keys() {
        Arbitrary<byte[]> key = Arbitraries.bytes().filter(b -> b == 0 || b == 1 || b == (byte) 0xff || b == 'e')
                .array(byte[].class).ofMaxSize(23);
        return key.list().ofMaxSize(400);
    }

    @Property
    void keysAreSortedInUnsignedByteOrder(@ForAll("keys") List<byte[]> keys) {
        BulkLoader.KeyArena arena = new BulkLoader.KeyArena();
        keys.forEach(arena::add);
        List<String> sorted = new ArrayList<>();
        for (int i : arena.sorted()) {
            sorted.add(HexFormat.of().formatHex(arena.key(i)));
        }
        List<byte[]> expected = new ArrayList<>(keys);
        expected.sort(Arrays::compareUnsigned);
        assertEquals(expected.stream().map(HexFormat.of()::formatHex).toList(), sorted);
    }
}
