package io.stemedb.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.fuzz.Fuzz;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Canonical records from outside (sync, archives, merges of bytes): random bytes and valid records
 * damaged in one to three ways decode to an assertion or fail with a {@link StemeException},
 * never anything else; what decodes re-encodes to exactly the bytes read, and verified decoding
 * agrees with its id.
 */
@Tag(Fuzz.TAG)
class CanonicalCodecFuzzProperties {
    /** Valid records of every kind of assertion, drawn once: the inputs to damage. */
    static final List<byte[]> VALID = ModelArbitraries.assertions().sampleStream().limit(64)
            .map(Assertion::canonicalBytes).toList();

    @Provide
    Arbitrary<byte[]> records() {
        return Arbitraries.oneOf(Fuzz.randomBytes(200), Fuzz.mutationsOf(VALID));
    }

    @Property
    void aRecordFromOutsideDecodesToItsOwnBytesOrFailsTyped(@ForAll("records") byte[] bytes) {
        Assertion a = Fuzz.typedOrValid(bytes, () -> CanonicalCodec.decode(bytes), StemeException.class);
        if (a != null) {
            assertArrayEquals(bytes, a.canonicalBytes(), "a record decodes only from its canonical bytes");
            assertEquals(a, CanonicalCodec.decodeVerified(a.id(), bytes));
        }
        AssertionId someId = AssertionId.fromBytes(new byte[AssertionId.LENGTH]);
        Fuzz.typedOrValid(bytes, () -> CanonicalCodec.decodeVerified(someId, bytes), StemeException.class);
        Fuzz.typedOrValid(bytes, () -> List.of(new EncodedAssertion(someId, bytes).decode()), StemeException.class);
    }
}
