package io.stemedb.merkle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.AssertionId;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Id ranges: packing, children, bounds (including the all-F edge) and membership. */
class IdRangeTest {

    static AssertionId id(String hexPrefix) {
        String hex = (hexPrefix + "0".repeat(64)).substring(0, 64);
        return AssertionId.parse(hex);
    }

    static AssertionId idFilled(String hexPrefix, char fill) {
        String hex = (hexPrefix + String.valueOf(fill).repeat(64)).substring(0, 64);
        return AssertionId.parse(hex);
    }

    static IdRange range(String hexPath) {
        byte[] n = new byte[hexPath.length()];
        for (int i = 0; i < n.length; i++) {
            n[i] = (byte) Character.digit(hexPath.charAt(i), 16);
        }
        return IdRange.of(n);
    }

    @Provide
    Arbitrary<byte[]> paths() {
        return Arbitraries.bytes().between((byte) 0, (byte) 15).array(byte[].class).ofMaxSize(IdRange.MAX_DEPTH)
                .edgeCases(c -> {
                    c.add(new byte[0]);
                    byte[] allF = new byte[IdRange.MAX_DEPTH];
                    Arrays.fill(allF, (byte) 15);
                    c.add(allF);
                });
    }

    @Property(tries = 500)
    void packThenUnpackGivesTheSameRange(@ForAll("paths") byte[] path) {
        IdRange r = IdRange.of(path);
        byte[] packed = r.packed();
        assertEquals((path.length + 1) / 2, packed.length);
        IdRange back = IdRange.unpack(path.length, packed);
        assertEquals(r, back);
        assertEquals(r.hashCode(), back.hashCode());
        assertEquals(path.length, back.depth());
    }

    @Property(tries = 500)
    void anIdIsInTheRangeOfItsOwnPrefixAndNotOfASibling(@ForAll @Size(32) byte[] bytes,
            @ForAll("depths") int depth) {
        AssertionId id = AssertionId.fromBytes(bytes);
        byte[] nibbles = new byte[depth];
        for (int i = 0; i < depth; i++) {
            nibbles[i] = (byte) (i % 2 == 0 ? (bytes[i / 2] >> 4) & 0xf : bytes[i / 2] & 0xf);
        }
        IdRange r = IdRange.of(nibbles);
        assertTrue(r.contains(id));
        // Within the bounds, as unsigned byte strings compared with the id (as the engines do).
        assertTrue(Arrays.compareUnsigned(id.toBytes(), r.low()) >= 0);
        byte[] high = r.high();
        assertTrue(high == null || Arrays.compareUnsigned(id.toBytes(), high) < 0);
        if (depth > 0) {
            byte[] sibling = nibbles.clone();
            sibling[depth - 1] = (byte) ((sibling[depth - 1] + 1) & 0xf);
            assertFalse(IdRange.of(sibling).contains(id));
        }
        if (depth < IdRange.MAX_DEPTH) {
            int next = depth % 2 == 0 ? (bytes[depth / 2] >> 4) & 0xf : bytes[depth / 2] & 0xf;
            for (int c = 0; c < 16; c++) {
                assertEquals(c == next, r.child(c).contains(id), "child " + c);
            }
        }
    }

    @Provide
    Arbitrary<Integer> depths() {
        return Arbitraries.integers().between(0, IdRange.MAX_DEPTH);
    }

    @Test
    void theRootHoldsEveryIdAndHasNoUpperBound() {
        assertEquals(0, IdRange.ROOT.depth());
        assertArrayEquals(new byte[0], IdRange.ROOT.low());
        assertNull(IdRange.ROOT.high());
        assertTrue(IdRange.ROOT.contains(id("")));
        assertTrue(IdRange.ROOT.contains(idFilled("", 'f')));
        assertEquals("*", IdRange.ROOT.toString());
    }

    @Test
    void childrenExtendThePathByOneNibble() {
        IdRange a = IdRange.ROOT.child(0xa);
        IdRange a3 = a.child(3);
        assertEquals("a*", a.toString());
        assertEquals("a3*", a3.toString());
        assertEquals(range("a3"), a3);
        assertArrayEquals(new byte[] {(byte) 0xa0}, a.packed());
        assertArrayEquals(new byte[] {(byte) 0xa3}, a3.packed());
        assertArrayEquals(new byte[] {(byte) 0xa3, (byte) 0x50}, a3.child(5).packed());
        assertNotEquals(a.child(3), a.child(4));
        assertThrows(IllegalArgumentException.class, () -> a.child(16));
        assertThrows(IllegalArgumentException.class, () -> a.child(-1));
    }

    @Test
    void boundsOfOddAndEvenPaths() {
        assertArrayEquals(HexFormat.of().parseHex("a3"), range("a3").low());
        assertArrayEquals(HexFormat.of().parseHex("a4"), range("a3").high());
        assertArrayEquals(HexFormat.of().parseHex("a0"), range("a").low());
        assertArrayEquals(HexFormat.of().parseHex("b0"), range("a").high());
        // A carry: 0f* ends where 10* begins; 3ff* ends at 40.
        assertArrayEquals(HexFormat.of().parseHex("10"), range("0f").high());
        assertArrayEquals(HexFormat.of().parseHex("40"), range("3ff").high());
        assertArrayEquals(HexFormat.of().parseHex("a3f0"), range("a3f").low());
        assertArrayEquals(HexFormat.of().parseHex("a4"), range("a3f").high());
    }

    @Test
    void rangesOfAllFRunToTheEndOfTheIdSpace() {
        assertNull(range("f").high());
        assertNull(range("ffff").high());
        assertNull(range("f".repeat(IdRange.MAX_DEPTH)).high());
        AssertionId last = idFilled("", 'f');
        assertTrue(range("f".repeat(IdRange.MAX_DEPTH)).contains(last));
        assertTrue(range("fff").contains(last));
        assertFalse(range("ffe").contains(last));
        // A whole id as the path: the range of exactly one id, bounded above by its successor.
        IdRange one = range("0".repeat(63) + "e");
        assertArrayEquals(HexFormat.of().parseHex("0".repeat(63) + "f"), one.high());
        assertThrows(IllegalStateException.class, () -> range("f".repeat(IdRange.MAX_DEPTH)).child(0));
    }

    @Test
    void containsComparesOnlyThePath() {
        assertTrue(range("a3").contains(id("a3")));
        assertTrue(range("a3").contains(idFilled("a3", 'f')));
        assertFalse(range("a3").contains(id("a4")));
        assertFalse(range("a3").contains(idFilled("a2", 'f')));
        assertTrue(range("a3f").contains(id("a3f")));
        assertFalse(range("a3f").contains(id("a3e")));
    }

    @Test
    void badPathsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> IdRange.of(new byte[] {16}));
        assertThrows(IllegalArgumentException.class, () -> IdRange.of(new byte[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> IdRange.of(new byte[IdRange.MAX_DEPTH + 1]));
        assertThrows(IllegalArgumentException.class, () -> IdRange.unpack(3, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> IdRange.unpack(-1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> IdRange.unpack(IdRange.MAX_DEPTH + 1, new byte[33]));
        // An odd path whose unused low nibble is not zero has two spellings: refused.
        assertThrows(IllegalArgumentException.class, () -> IdRange.unpack(1, new byte[] {(byte) 0xa1}));
        assertEquals(range("a"), IdRange.unpack(1, new byte[] {(byte) 0xa0}));
    }

    @Test
    void firstBucketOfShallowRanges() {
        assertEquals(0, IdRange.ROOT.firstBucket());
        assertEquals(0xa000, range("a").firstBucket());
        assertEquals(0xa3f0, range("a3f").firstBucket());
        assertEquals(0xa3f7, range("a3f7").firstBucket());
    }
}
