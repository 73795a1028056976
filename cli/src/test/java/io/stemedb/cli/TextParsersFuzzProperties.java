package io.stemedb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.fuzz.Fuzz;
import io.stemedb.json.JsonLines;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * The text parser of outside input in the command line: JSON Lines (import files). Random text,
 * text built from the format's own pieces, and valid lines damaged in one to three ways end in a
 * value or in the parser's typed exception, with a bounded message; what parses writes back to
 * itself. Lens expressions (--lens, and the server's lens=) are fuzzed where they are parsed, in
 * the lens module (LensParserFuzzProperties).
 */
@Tag(Fuzz.TAG)
class TextParsersFuzzProperties {
    static final List<String> VALID_LINES = List.of(
            JsonLines.toLine(Claim.builder("acme", "ceo", Value.text("Alice \u00e9\ud83d\ude00")).source("hr").confidence(0.9)
                    .validFrom(Instant.parse("2023-01-01T00:00:00Z")).metadata(Map.of("url", "https://x"))
                    .hlc(Hlc.of(1_700_000_000_000L, 3, 0xabc)).build()),
            JsonLines.toLine(Claim.builder("acme", "size", Value.real(-1.5e300)).source("crm").hlc(Hlc.of(1, 0, 1)).build()),
            JsonLines.toLine(Claim.builder("acme", "logo", Value.bytes(new byte[] {0, 1, (byte) 0xff})).source("web")
                    .hlc(Hlc.of(2, 0, 1)).build()),
            JsonLines.toLine(Retraction.of(Claim.builder("a", "b", Value.integer(1)).source("s").hlc(Hlc.of(3, 0, 1)).build().id(),
                    "hr", Hlc.of(4, 0, 1), Map.of("why", "typo"))));

    @Provide
    Arbitrary<String> lines() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(200), Fuzz.textMutationsOf(VALID_LINES),
                Arbitraries.of("{", "}", "[", "]", "\"", ":", ",", "1e400", "-0", "null", "true", "\"hlc\"", "\"value\"",
                        "\"type\"", "\"retracts\"", "{\"physical\":", "\\u", "\\ud800", "1" + "0".repeat(30))
                        .list().ofMaxSize(30).map(parts -> String.join("", parts)));
    }

    @Property
    void aJsonLineParsesToAnAssertionThatWritesItBackOrFailsTyped(@ForAll("lines") String line) {
        Assertion a = Fuzz.typedOrValid(line, () -> JsonLines.parse(line), JsonLines.LineException.class);
        if (a != null) {
            assertEquals(a, JsonLines.parse(JsonLines.toLine(a)), "what parses writes back to the same assertion");
        } else {
            try {
                JsonLines.parse(line);
            } catch (JsonLines.LineException e) {
                assertTrue(e.getMessage().length() < 1000, "a bounded message: " + e.getMessage().length());
            }
        }
    }
}
