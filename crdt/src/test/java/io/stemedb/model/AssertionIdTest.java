package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AssertionIdTest {
    /** BLAKE3 of the empty input and of "abc", from the BLAKE3 reference (and b3sum). */
    private static final String EMPTY = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
    private static final String ABC = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85";

    @Test
    void isTheBlake3HashOfTheBytes() {
        assertEquals(EMPTY, AssertionId.hashOf(new byte[0]).toString());
        assertEquals(ABC, AssertionId.hashOf("abc".getBytes(StandardCharsets.US_ASCII)).toString());
    }

    @Test
    void anAssertionsIdIsTheHashOfItsCanonicalBytes() {
        Claim c = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr").hlc(Hlc.of(1, 2, 3)).build();
        assertEquals(AssertionId.hashOf(c.canonicalBytes()), c.id());
        assertEquals(c.id(), c.id());
    }

    @Test
    void printsAs64LowercaseHexDigitsAndParsesBack() {
        AssertionId id = AssertionId.hashOf("abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(64, id.toString().length());
        assertTrue(id.toString().matches("[0-9a-f]{64}"));
        assertEquals(id, AssertionId.parse(ABC));
        assertEquals(id, AssertionId.parse(ABC.toUpperCase()));
        assertEquals("6437b3ac", id.shortHex());
    }

    @Test
    void parseRefusesWhatIsNotAnId() {
        AssertionId.MalformedIdException e =
                assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.parse(ABC.substring(1)));
        assertTrue(e.getMessage().contains("64 hex digits, got 63"), e.getMessage());
        assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.parse(ABC + "0"));
        assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.parse(""));
        e = assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.parse("g" + ABC.substring(1)));
        assertTrue(e.getMessage().contains("not hexadecimal"), e.getMessage());
        assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.parse(" " + ABC.substring(1)));
        e = assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.parse("x".repeat(500)));
        assertTrue(e.getMessage().length() < 300, "long input is abbreviated: " + e.getMessage());
        assertThrows(NullPointerException.class, () -> AssertionId.parse(null));
    }

    @Test
    void bytesAreCopiedInAndOut() {
        byte[] raw = new byte[32];
        raw[0] = 7;
        AssertionId id = AssertionId.fromBytes(raw);
        raw[0] = 8;
        assertEquals(7, id.toBytes()[0]);
        byte[] out = id.toBytes();
        out[0] = 9;
        assertEquals(7, id.toBytes()[0]);
        assertNotSame(id.toBytes(), id.toBytes());

        byte[] target = new byte[40];
        id.copyTo(target, 5);
        assertEquals(7, target[5]);
        assertEquals(id, AssertionId.fromBytes(target, 5));
    }

    @Test
    void fromBytesRefusesTheWrongLength() {
        assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.fromBytes(new byte[31]));
        assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.fromBytes(new byte[33]));
        AssertionId.MalformedIdException e =
                assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.fromBytes(new byte[40], 9));
        assertTrue(e.getMessage().contains("only 31 remain at offset 9"), e.getMessage());
        assertThrows(AssertionId.MalformedIdException.class, () -> AssertionId.fromBytes(new byte[40], -1));
    }

    @Test
    void orderIsUnsignedBigEndian() {
        AssertionId low = AssertionId.parse("7f" + "ff".repeat(31));
        AssertionId high = AssertionId.parse("80" + "00".repeat(31));
        AssertionId zero = AssertionId.parse("00".repeat(32));
        AssertionId last = AssertionId.parse("ff".repeat(32));
        assertTrue(low.compareTo(high) < 0, "0x7f... before 0x80... (unsigned)");
        assertTrue(zero.compareTo(low) < 0);
        assertTrue(high.compareTo(last) < 0);
        assertEquals(0, low.compareTo(AssertionId.parse(low.toString())));
        TreeSet<AssertionId> sorted = new TreeSet<>(List.of(last, high, zero, low));
        assertEquals(List.of(zero, low, high, last), new ArrayList<>(sorted));
        // the order of ids is the order of their hex text
        assertTrue(low.toString().compareTo(high.toString()) < 0);
    }

    @Test
    void equalsAndHashCode() {
        AssertionId a = AssertionId.parse(ABC);
        AssertionId b = AssertionId.fromBytes(a.toBytes());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(0x6437b3ac, a.hashCode());
        assertNotEquals(a, AssertionId.parse(EMPTY));
        assertNotEquals(a, ABC);
        assertArrayEquals(a.toBytes(), b.toBytes());
    }
}
