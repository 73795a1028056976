package io.stemedb.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON Lines form of assertions: exact round trips of every field and value type, and strict validation. */
class JsonLinesTest {
    private static final Hlc HLC = Hlc.of(1_700_000_000_123L, 7, 0xfedc_ba98_7654_3210L);

    static List<Value> everyKindOfValue() {
        return List.of(Value.text("Alice"), Value.text(""), Value.text("multi\nline \"quoted\" \u00e9\u0301 \ud83d\ude00"),
                Value.integer(0), Value.integer(Long.MIN_VALUE), Value.integer(Long.MAX_VALUE),
                Value.real(3.141592653589793), Value.real(-0.0), Value.real(1e-310), Value.real(Double.MAX_VALUE),
                Value.real(0.1 + 0.2), Value.real(Double.POSITIVE_INFINITY), Value.real(Double.NEGATIVE_INFINITY),
                Value.bool(true), Value.bool(false), Value.bytes(new byte[0]), Value.bytes(new byte[] {0, 1, (byte) 0xff}),
                Value.instant(Instant.parse("2023-03-20T10:15:30.123456789Z")), Value.instant(Instant.EPOCH),
                Value.ref("bob-chen"));
    }

    @Test
    void everyValueTypeRoundTripsExactly() {
        for (Value v : everyKindOfValue()) {
            Claim c = Claim.builder("acme", "attr", v).source("hr").hlc(HLC).build();
            String line = JsonLines.toLine(c);
            assertEquals(1, line.lines().count(), line);
            Assertion back = JsonLines.parse(line);
            assertEquals(c, back, line);
            assertEquals(c.id(), back.id(), line);
        }
    }

    @Test
    void everyFieldRoundTripsExactly() {
        Claim c = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr").hlc(HLC).confidence(0.9)
                .validFrom(Instant.parse("2019-01-01T00:00:00Z")).validTo(Instant.parse("2023-04-01T12:00:00.5Z"))
                .metadata(Map.of("url", "https://hr.example", "evidence", "payroll \"2023\"")).build();
        Retraction r = Retraction.of(c.id(), "hr", Hlc.of(1_700_000_100_000L, 0, 1), Map.of("reason", "typo"));
        Retraction bare = Retraction.of(c.id(), "crm", Hlc.of(1_700_000_200_000L, 3, -1L), Map.of());
        for (Assertion a : List.of(c, r, bare)) {
            String line = JsonLines.toLine(a);
            assertEquals(a, JsonLines.parse(line), line);
            assertTrue(line.contains("\"id\":\"" + a.id() + "\""), line);
        }
        assertEquals("{\"id\":\"" + r.id() + "\",\"hlc\":{\"physical\":1700000100000,\"logical\":0,\"node\":\"0000000000000001\"},"
                + "\"source\":\"hr\",\"retracts\":\"" + c.id() + "\",\"metadata\":{\"reason\":\"typo\"}}", JsonLines.toLine(r));
        assertTrue(JsonLines.toLine(bare).contains("\"node\":\"ffffffffffffffff\""), JsonLines.toLine(bare));
    }

    @Test
    void theIdIsOptionalButMustMatchWhenGiven() {
        Claim c = Claim.builder("acme", "ceo", Value.text("Alice")).source("hr").hlc(HLC).build();
        String withoutId = JsonLines.toLine(c).replaceFirst("\"id\":\"[0-9a-f]+\",", "");
        assertEquals(c, JsonLines.parse(withoutId));
        String edited = JsonLines.toLine(c).replace("Alice", "Alicia");
        JsonLines.LineException e = assertThrows(JsonLines.LineException.class, () -> JsonLines.parse(edited));
        assertTrue(e.getMessage().contains("is not the id of this assertion"), e.getMessage());
    }

    @Test
    void handWrittenLinesMayUseFriendlierForms() {
        String line = "{\"hlc\":{\"physical\":1700000000000,\"logical\":0,\"node\":\"ff\"},\"source\":\"hr\",\"subject\":\"acme\","
                + "\"predicate\":\"founded\",\"type\":\"instant\",\"value\":\"2001-06-12\",\"validFrom\":\"2019-01-01\","
                + "\"confidence\":1,\"metadata\":null,\"validTo\":null}";
        Claim c = (Claim) JsonLines.parse(line);
        assertEquals(Value.instant(Instant.parse("2001-06-12T00:00:00Z")), c.value());
        assertEquals(Instant.parse("2019-01-01T00:00:00Z"), c.validFrom().orElseThrow());
        assertEquals(0xff, c.hlc().node());
        assertEquals(Value.bool(true), ((Claim) JsonLines.parse(line.replace("\"instant\",\"value\":\"2001-06-12\"",
                "\"bool\",\"value\":true"))).value());
        assertEquals(Value.real(3.0), ((Claim) JsonLines.parse(line.replace("\"instant\",\"value\":\"2001-06-12\"",
                "\"real\",\"value\":3"))).value());
    }

    private static final String GOOD = "{\"hlc\":{\"physical\":1700000000000,\"logical\":0,\"node\":\"00000000000000ff\"},"
            + "\"source\":\"hr\",\"subject\":\"acme\",\"predicate\":\"ceo\",\"type\":\"text\",\"value\":\"Alice\"}";

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // what to replace in GOOD | with what | the message must contain
        "`{\"hlc\"`             | `[{\"hlc\"`         | not valid JSON",
        "`\"Alice\"}`           | `\"Alice\"} x`      | not valid JSON",
        "`\"Alice\"}`           | `\"Alice\",}`       | not valid JSON at column",
        "`\"value\":\"Alice\"`  | `\"value\":null`    | \"value\" is missing",
        "`\"subject\":\"acme\",`| ``                  | \"subject\" is missing",
        "`\"subject\":\"acme\"` | `\"subject\":\"\"`  | invalid subject",
        "`\"subject\":\"acme\"` | `\"subject\":7`     | \"subject\" must be a string",
        "`\"source\":\"hr\",`   | `\"source\":\"hr\",\"colour\":1,` | unknown field \"colour\"",
        "`\"source\":\"hr\",`   | `\"source\":\"hr\",\"source\":\"x\",` | Duplicate field 'source'",
        "`\"type\":\"text\"`    | `\"type\":\"string\"` | \"type\" is 'string'; it must be one of text, integer",
        "`\"type\":\"text\"`    | `\"type\":\"integer\"` | an integer value must be a whole number",
        "`\"type\":\"text\"`    | `\"type\":\"real\"`   | a real value must be a number",
        "`\"type\":\"text\"`    | `\"type\":\"boolean\"` | a boolean value must be true or false",
        "`\"type\":\"text\"`    | `\"type\":\"bytes\"`  | a bytes value must be a string of hex digits",
        "`\"type\":\"text\"`    | `\"type\":\"instant\"` | an instant value: 'Alice' is not a time",
        "`\"value\":\"Alice\"`  | `\"value\":12345678901234567890,\"x\":1` | unknown field \"x\"",
        "`\"type\":\"text\",\"value\":\"Alice\"` | `\"type\":\"integer\",\"value\":12345678901234567890` | an integer value must be a whole number",
        "`\"type\":\"text\",\"value\":\"Alice\"` | `\"type\":\"integer\",\"value\":1.5` | an integer value must be a whole number",
        "`\"type\":\"text\",\"value\":\"Alice\"` | `\"type\":\"ref\",\"value\":\"\"` | invalid value",
        "`\"Alice\"}`           | `\"Alice\",\"confidence\":1.5}` | invalid confidence",
        "`\"Alice\"}`           | `\"Alice\",\"confidence\":\"high\"}` | \"confidence\" must be a number",
        "`\"Alice\"}`           | `\"Alice\",\"validFrom\":\"2024-01-01\",\"validTo\":\"2023-01-01\"}` | invalid validTo",
        "`\"Alice\"}`           | `\"Alice\",\"validFrom\":\"soon\"}` | \"validFrom\": 'soon' is not a time",
        "`\"Alice\"}`           | `\"Alice\",\"metadata\":{\"k\":1}}` | metadata \"k\" must be a string",
        "`\"Alice\"}`           | `\"Alice\",\"metadata\":[]}` | \"metadata\" must be an object",
        "`\"Alice\"}`           | `\"Alice\",\"id\":\"abc\"}` | \"id\": an assertion id is 64 hex digits",
        "`\"Alice\"}`           | `\"Alice\",\"retracts\":\"abc\"}` | not both",
        "`\"physical\":1700000000000` | `\"physical\":-1` | \"hlc\".\"physical\" must be a whole number",
        "`\"physical\":1700000000000` | `\"physical\":\"now\"` | \"hlc\".\"physical\" must be a whole number",
        "`\"logical\":0`        | `\"logical\":-3`    | \"hlc\".\"logical\" must be a whole number of at least 0",
        "`\"node\":\"00000000000000ff\"` | `\"node\":255` | \"hlc\".\"node\" must be a node id",
        "`\"node\":\"00000000000000ff\"` | `\"node\":\"00000000000000ff0\"` | \"hlc\".\"node\" must be a node id",
        "`\"node\":\"00000000000000ff\"` | `\"node\":\"\"` | \"hlc\".\"node\" must be a node id",
        "`\"node\":\"00000000000000ff\"` | `\"node\":\"00000000000000fg\"` | \"hlc\".\"node\" must be a node id",
        "`\"type\":\"text\",\"value\":\"Alice\"` | `\"type\":\"bytes\",\"value\":\"abc\"` | a bytes value must be a string of hex digits",
        "`\"type\":\"text\",\"value\":\"Alice\"` | `\"type\":\"bytes\",\"value\":\"0g\"` | a bytes value must be a string of hex digits",
        "`,\"logical\":0`       | ``                  | \"hlc\".\"logical\" must be",
        "`\"logical\":0,`       | `\"logical\":0,\"wall\":1,` | unknown field \"wall\"",
        "`\"hlc\":{\"physical\":1700000000000,\"logical\":0,\"node\":\"00000000000000ff\"},` | `` | \"hlc\" is missing",
        "`\"hlc\":{\"physical\":1700000000000,\"logical\":0,\"node\":\"00000000000000ff\"}` | `\"hlc\":\"now\"` | \"hlc\" must be an object",
    })
    void badLinesSayWhatIsWrong(String replace, String with, String expected) {
        String line = GOOD.replace(replace, with);
        assertTrue(!line.equals(GOOD), "the replacement must change the line: " + replace);
        JsonLines.LineException e = assertThrows(JsonLines.LineException.class, () -> JsonLines.parse(line));
        assertTrue(e.getMessage().contains(expected), "'" + expected + "' not in: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /** The hex check of node ids and bytes values, against the regular expression it replaced, on any text. */
    @Property
    void hexDigitsAreExactlyTheHexCharacters(@ForAll @StringLength(max = 20) @CharRange(from = '+', to = 'h') @CharRange(from = '\u0100', to = '\u0700') String s) {
        assertEquals(s.matches("[0-9a-fA-F]*"), Json.hexDigits(s), s);
    }

    @Test
    void aLineMustBeAnObject() {
        for (String line : List.of("[]", "42", "\"claim\"", "null")) {
            JsonLines.LineException e = assertThrows(JsonLines.LineException.class, () -> JsonLines.parse(line));
            assertTrue(e.getMessage().startsWith("expected a JSON object"), e.getMessage());
        }
    }

    @Test
    void aRetractionNeedsAValidTarget() {
        String r = "{\"hlc\":{\"physical\":1,\"logical\":0,\"node\":\"1\"},\"source\":\"hr\",\"retracts\":\"xyz\"}";
        JsonLines.LineException e = assertThrows(JsonLines.LineException.class, () -> JsonLines.parse(r));
        assertTrue(e.getMessage().contains("\"retracts\": an assertion id is 64 hex digits"), e.getMessage());
        JsonLines.LineException e2 = assertThrows(JsonLines.LineException.class,
                () -> JsonLines.parse(r.replace("\"xyz\"", "\"" + "a".repeat(64) + "\",\"value\":1")));
        assertTrue(e2.getMessage().contains("unknown field \"value\""), e2.getMessage());
    }

    @Test
    void numbersBeyondADoubleAreRefusedNotStoredAsInfinity() {
        for (String number : new String[] {"1e400", "-1e400", "1.0e309"}) {
            String line = GOOD.replace("\"type\":\"text\",\"value\":\"Alice\"", "\"type\":\"real\",\"value\":" + number);
            JsonLines.LineException e = assertThrows(JsonLines.LineException.class, () -> JsonLines.parse(line), line);
            assertTrue(e.getMessage().contains("outside the range of a double"), e.getMessage());
            String untyped = GOOD.replace("\"type\":\"text\",\"value\":\"Alice\"", "\"type\":\"real\",\"value\":1,"
                    + "\"confidence\":" + number);
            assertTrue(assertThrows(JsonLines.LineException.class, () -> JsonLines.parse(untyped)).getMessage()
                    .contains("outside the range of a double"));
        }
        // Infinity itself is written as a string, and still reads
        String infinite = GOOD.replace("\"type\":\"text\",\"value\":\"Alice\"", "\"type\":\"real\",\"value\":\"Infinity\"");
        assertEquals(Value.real(Double.POSITIVE_INFINITY), ((io.stemedb.model.Claim) JsonLines.parse(infinite)).value());
    }

    @Test
    void errorsEchoABoundedExcerptAndNoParserInternals() {
        String huge = "y".repeat(10_000_000);
        for (String line : new String[] {
            GOOD.replace("\"source\":\"hr\"", "\"source\":[\"" + huge + "\"]"),
            GOOD.replace("\"source\":\"hr\"", "\"source\":\"hr\",\"" + huge.substring(0, 40_000) + "\":1"),
            GOOD.replace("\"type\":\"text\"", "\"type\":\"" + huge.substring(0, 40_000) + "\""),
            GOOD.substring(0, GOOD.length() - 1),
            "{\"hlc\": ",
            "[" + "[".repeat(3000),
        }) {
            JsonLines.LineException e = assertThrows(JsonLines.LineException.class, () -> JsonLines.parse(line));
            assertTrue(e.getMessage().length() < 500, "a bounded message: " + e.getMessage().length() + " characters");
            assertTrue(!e.getMessage().contains("Source:") && !e.getMessage().contains("REDACTED"), e.getMessage());
        }
    }
}
