package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The committed test vectors pin the canonical encoding and the ids (docs/format.md, "Test vectors"). */
class CanonicalVectorsTest {
    private static final List<CanonicalVectors.Vector> VECTORS = CanonicalVectors.load();
    private static final Pattern SAME_AS = Pattern.compile("same bytes and id as '([^']+)'");

    @Test
    void thereAreAtLeastThirtyVectors() {
        assertTrue(VECTORS.size() >= 30, "only " + VECTORS.size() + " vectors");
    }

    @TestFactory
    Stream<DynamicTest> everyVectorEncodesHashesAndDecodes() {
        return VECTORS.stream().map(v -> DynamicTest.dynamicTest(v.toString(), () -> {
            Assertion a = v.assertion();
            byte[] bytes = CanonicalCodec.encode(a);
            assertEquals(v.canonicalHex(), HexFormat.of().formatHex(bytes), v + ": canonical bytes");
            assertEquals(v.id(), a.id().toString(), v + ": id");
            assertEquals(AssertionId.hashOf(bytes), a.id(), v + ": id is the hash of the bytes");

            Assertion decoded = CanonicalCodec.decode(v.canonicalBytes());
            assertEquals(a, decoded, v + ": decode gives the assertion");
            assertEquals(a.id(), decoded.id());
            assertArrayEquals(v.canonicalBytes(), decoded.canonicalBytes(), v + ": decoded record re-encodes identically");
            assertEquals(a, CanonicalCodec.decodeVerified(AssertionId.parse(v.id()), v.canonicalBytes()));
        }));
    }

    @Test
    void namesAreUniqueAndHexIsLowercase() {
        Map<String, CanonicalVectors.Vector> byName = new HashMap<>();
        for (CanonicalVectors.Vector v : VECTORS) {
            assertEquals(null, byName.put(v.name(), v), "repeated name " + v.name());
            assertTrue(v.canonicalHex().matches("([0-9a-f]{2})+"), v + ": canonical_hex is lowercase hex");
            assertTrue(v.id().matches("[0-9a-f]{64}"), v + ": id is 64 lowercase hex digits");
        }
    }

    /**
     * Vectors that say "same bytes and id as 'X'" share the bytes of the vector whose name is X or
     * starts with "X ("; every other pair of vectors differs.
     */
    @Test
    void onlyTheDeclaredPairsShareBytes() {
        Set<String> samePairs = new HashSet<>();
        for (CanonicalVectors.Vector v : VECTORS) {
            Matcher m = SAME_AS.matcher(v.name());
            if (m.find()) {
                CanonicalVectors.Vector other = named(m.group(1));
                assertEquals(other.canonicalHex(), v.canonicalHex(), v + " vs " + other);
                assertEquals(other.id(), v.id(), v + " vs " + other);
                samePairs.add(v.name() + "\n" + other.name());
                samePairs.add(other.name() + "\n" + v.name());
            }
        }
        assertTrue(samePairs.size() >= 8, "the -0.0 and empty-metadata pairs are declared: " + samePairs);
        for (int i = 0; i < VECTORS.size(); i++) {
            for (int j = i + 1; j < VECTORS.size(); j++) {
                CanonicalVectors.Vector a = VECTORS.get(i);
                CanonicalVectors.Vector b = VECTORS.get(j);
                if (!samePairs.contains(a.name() + "\n" + b.name())) {
                    assertNotEquals(a.id(), b.id(), a + " and " + b + " should differ");
                }
            }
        }
    }

    @Test
    void combiningAccentAndPrecomposedDiffer() {
        CanonicalVectors.Vector combining = named("text: combining accent (e + U+0301)");
        CanonicalVectors.Vector precomposed = named("text: precomposed U+00E9");
        assertNotEquals(combining.id(), precomposed.id());
    }

    private static CanonicalVectors.Vector named(String ref) {
        List<CanonicalVectors.Vector> found = VECTORS.stream()
                .filter(v -> v.name().equals(ref) || v.name().startsWith(ref + " ") || v.name().startsWith(ref + ","))
                .collect(Collectors.toList());
        assertEquals(1, found.size(), "exactly one vector is named '" + ref + "': " + found);
        return found.get(0);
    }
}
