package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A name as keys hold it is its u16 UTF-8 length and its UTF-8, whatever path writes it (ASCII is
 * written in place, the rest encoded), and the fact key a read computes from the two names is the
 * one commits store under ({@link Keys#factKeyOf} of the subjects-keyspace key).
 */
class KeysProperties {
    @Provide
    Arbitrary<String> names() {
        // mostly ASCII, now and then any code point (so a name that starts ASCII and turns out not to be)
        Arbitrary<String> ascii = Arbitraries.strings().ascii().ofMaxLength(40);
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40)
                .filter(s -> s.codePoints().noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE));
        Arbitrary<String> mixed = Arbitraries.strings().ascii().ofMaxLength(20).flatMap(a -> any.map(b -> a + b));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, ascii), net.jqwik.api.Tuple.of(2, any), net.jqwik.api.Tuple.of(2, mixed));
    }

    @Property(tries = 2000)
    void aNameIsItsLengthThenItsUtf8(@ForAll("names") String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] expected = new byte[2 + utf8.length];
        expected[0] = (byte) (utf8.length >>> 8);
        expected[1] = (byte) utf8.length;
        System.arraycopy(utf8, 0, expected, 2, utf8.length);
        assertArrayEquals(expected, Keys.name(name));
    }

    @Property(tries = 2000)
    void theFactKeyOfTheNamesIsTheOneOfTheSubjectsKey(@ForAll("names") String subject, @ForAll("names") String predicate) {
        assertArrayEquals(Keys.factKeyOf(Keys.subjectKey(subject, predicate)), Keys.factKey(subject, predicate));
    }
}
