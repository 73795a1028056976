package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link WalCheck} takes for a write-ahead log exactly the files RocksDB names so: ASCII digits,
 * then {@code .log} (the definition, written as the regular expression the check replaced).
 */
class WalCheckProperties {
    private static final Pattern LOG_NAME = Pattern.compile("[0-9]+\\.log");

    /** Names near the rule (digits of other scripts, case, dots, an empty number) and any names at all. */
    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> near = Arbitraries.strings().withChars("0123456789.logLOGx\u0663\uff11 ").ofMaxLength(12);
        Arbitrary<String> numbered = Arbitraries.strings().withChars("0123456789\u0663").ofMinLength(0).ofMaxLength(8)
                .flatMap(n -> Arbitraries.of(".log", ".LOG", ".log.", "log", ".sst", ".log~").map(s -> n + s));
        return Arbitraries.oneOf(near, numbered, Arbitraries.strings().all().ofMaxLength(12));
    }

    @Property(tries = 3000)
    void aLogFileIsAsciiDigitsThenDotLog(@ForAll("names") String name) {
        assertEquals(LOG_NAME.matcher(name).matches(), WalCheck.isLogName(name), name);
    }
}
