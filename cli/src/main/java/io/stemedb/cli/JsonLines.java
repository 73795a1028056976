package io.stemedb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Lines form of assertions, which {@code stemedb export --format jsonl} writes and
 * {@code stemedb import} reads (docs/cli.md, "JSON Lines"): one JSON object per line, carrying every
 * field of a claim or retraction, including its HLC timestamp, so that importing rebuilds exactly
 * the same assertions with the same ids. Commands print assertions in {@code --json} output in the
 * same shape.
 *
 * <p>A claim:
 * <pre>{@code
 * {"id":"3fa2...","hlc":{"physical":1700000000000,"logical":0,"node":"5eed000000000001"},"source":"hr",
 *  "subject":"acme","predicate":"ceo","type":"text","value":"Alice","confidence":0.9,
 *  "validFrom":"2023-01-01T00:00:00Z","validTo":"2024-01-01T00:00:00Z","metadata":{"url":"https://..."}}
 * }</pre>
 * A retraction names the id of the claim it retracts:
 * <pre>{@code
 * {"id":"91bc...","hlc":{"physical":1700000100000,"logical":0,"node":"5eed000000000001"},"source":"hr",
 *  "retracts":"3fa2...","metadata":{"reason":"typo"}}
 * }</pre>
 * Stateless and thread-safe.
 */
public final class JsonLines {
    /** Strict JSON: duplicate keys and trailing tokens are errors. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    /** The value type names, in the order of {@link Value.Type}. */
    public static final List<String> TYPE_NAMES = List.of("text", "integer", "real", "boolean", "bytes", "instant", "ref");

    private static final Set<String> CLAIM_FIELDS = Set.of("id", "hlc", "source", "subject", "predicate", "type",
            "value", "confidence", "validFrom", "validTo", "metadata");
    private static final Set<String> RETRACTION_FIELDS = Set.of("id", "hlc", "source", "retracts", "metadata");
    private static final Set<String> HLC_FIELDS = Set.of("physical", "logical", "node");

    private JsonLines() {}

    // ---------------------------------------------------------------- writing

    /** The JSON object of an assertion, every field included. */
    public static ObjectNode toJson(Assertion a) {
        ObjectNode o = NODES.objectNode();
        o.put("id", a.id().toString());
        o.set("hlc", hlc(a.hlc()));
        o.put("source", a.source());
        if (a instanceof Claim) {
            Claim c = (Claim) a;
            o.put("subject", c.subject());
            o.put("predicate", c.predicate());
            o.put("type", typeName(c.value().type()));
            o.set("value", valuePayload(c.value()));
            c.confidence().ifPresent(conf -> o.put("confidence", conf));
            c.validFrom().ifPresent(t -> o.put("validFrom", t.toString()));
            c.validTo().ifPresent(t -> o.put("validTo", t.toString()));
        } else {
            o.put("retracts", ((Retraction) a).target().toString());
        }
        if (!a.metadata().isEmpty()) {
            ObjectNode meta = o.putObject("metadata");
            a.metadata().forEach(meta::put);
        }
        return o;
    }

    /** One line of the file (without the line break). */
    public static String toLine(Assertion a) {
        try {
            return JSON.writeValueAsString(toJson(a));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** An HLC timestamp as {@code {"physical": ms, "logical": n, "node": "16 hex digits"}}. */
    public static ObjectNode hlc(Hlc hlc) {
        ObjectNode o = NODES.objectNode();
        o.put("physical", hlc.physicalMillis());
        o.put("logical", hlc.logical());
        o.put("node", Hlc.nodeHex(hlc.node()));
        return o;
    }

    /** A value as {@code {"type": ..., "value": ...}}. */
    public static ObjectNode valueJson(Value v) {
        ObjectNode o = NODES.objectNode();
        o.put("type", typeName(v.type()));
        o.set("value", valuePayload(v));
        return o;
    }

    /** The name of a value type in files and options: text, integer, real, boolean, bytes, instant, ref. */
    public static String typeName(Value.Type type) {
        return TYPE_NAMES.get(type.ordinal());
    }

    /** The type of a name ({@code bool} is accepted for boolean), or null if there is none. */
    public static Value.Type typeOf(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("bool")) {
            return Value.Type.BOOLEAN;
        }
        int i = TYPE_NAMES.indexOf(n);
        return i < 0 ? null : Value.Type.values()[i];
    }

    private static JsonNode valuePayload(Value v) {
        switch (v.type()) {
            case TEXT:
            case REF:
                return NODES.textNode(v.asText());
            case INTEGER:
                return NODES.numberNode(v.asLong());
            case REAL: {
                double d = v.asDouble();
                return Double.isInfinite(d) ? NODES.textNode(d > 0 ? "Infinity" : "-Infinity") : NODES.numberNode(d);
            }
            case BOOLEAN:
                return NODES.booleanNode(v.asBoolean());
            case BYTES:
                return NODES.textNode(HEX.formatHex(v.asBytes()));
            case INSTANT:
                return NODES.textNode(v.asInstant().toString());
            default:
                throw new AssertionError(v.type());
        }
    }

    // ---------------------------------------------------------------- reading

    /** A line that is not a valid assertion; the message says what is wrong (without the line number). */
    public static final class LineException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LineException(String message) {
            super(message);
        }
    }

    /**
     * Parses and validates one line into the assertion it describes. If the line states an
     * {@code id}, it must be the id of the assertion the other fields describe.
     *
     * @throws LineException saying what is wrong
     */
    public static Assertion parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw new LineException("not valid JSON" + (column > 0 ? " at column " + column : "") + ": " + jsonProblem(e));
        }
        if (node == null || !node.isObject()) {
            throw new LineException("expected a JSON object (one assertion per line), got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        try {
            Assertion a = node.has("retracts") ? retraction(node) : claim(node);
            JsonNode id = node.get("id");
            if (id != null && !id.isNull()) {
                AssertionId stated = parseId("id", id);
                if (!stated.equals(a.id())) {
                    throw new LineException("the stated id " + stated + " is not the id of this assertion, "
                            + a.id() + "; the line was edited after export, or its id belongs to another assertion "
                            + "(leave \"id\" out to accept the computed one)");
                }
            }
            return a;
        } catch (StemeException e) {
            throw new LineException(e.getMessage());
        }
    }

    private static Claim claim(JsonNode o) {
        checkFields(o, CLAIM_FIELDS, "a claim", "retracts");
        String subject = requiredText(o, "subject");
        String predicate = requiredText(o, "predicate");
        requiredText(o, "type");
        Claim.Builder b = Claim.builder(subject, predicate, typedValue(o))
                .source(requiredText(o, "source"))
                .hlc(hlc(o.get("hlc")));
        JsonNode confidence = o.get("confidence");
        if (confidence != null && !confidence.isNull()) {
            if (!confidence.isNumber()) {
                throw new LineException("\"confidence\" must be a number between 0 and 1, got " + excerpt(confidence));
            }
            b.confidence(finite(confidence));
        }
        b.validFrom(optionalTime(o, "validFrom")).validTo(optionalTime(o, "validTo"));
        b.metadata(metadata(o));
        return b.build();
    }

    private static Retraction retraction(JsonNode o) {
        checkFields(o, RETRACTION_FIELDS, "a retraction", "subject");
        AssertionId target = parseId("retracts", o.get("retracts"));
        return Retraction.of(target, requiredText(o, "source"), hlc(o.get("hlc")), metadata(o));
    }

    private static void checkFields(JsonNode o, Set<String> allowed, String what, String other) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                String hint = f.equals(other)
                        ? "; a line is either a claim (with subject, predicate, type, value) or a retraction (with retracts), not both"
                        : "; " + what + " has the fields " + String.join(", ", sorted(allowed));
                throw new LineException("unknown field \"" + excerpt(f) + "\"" + hint);
            }
        }
    }

    private static List<String> sorted(Set<String> names) {
        List<String> l = new ArrayList<>(names);
        l.sort(null);
        return l;
    }

    private static String requiredText(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw new LineException("\"" + field + "\" is missing");
        }
        if (!n.isTextual()) {
            throw new LineException("\"" + field + "\" must be a string, got " + excerpt(n));
        }
        return n.asText();
    }

    private static Instant optionalTime(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new LineException("\"" + field + "\" must be a string such as \"2023-03-20T00:00:00Z\", got " + excerpt(n));
        }
        try {
            return TextInput.instant(n.asText());
        } catch (IllegalArgumentException e) {
            throw new LineException("\"" + field + "\": " + e.getMessage());
        }
    }

    private static Map<String, String> metadata(JsonNode o) {
        JsonNode n = o.get("metadata");
        Map<String, String> meta = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return meta;
        }
        if (!n.isObject()) {
            throw new LineException("\"metadata\" must be an object of strings, got " + excerpt(n));
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isTextual()) {
                throw new LineException("metadata \"" + excerpt(e.getKey()) + "\" must be a string, got " + excerpt(e.getValue()));
            }
            meta.put(e.getKey(), e.getValue().asText());
        }
        return meta;
    }

    private static AssertionId parseId(String field, JsonNode n) {
        if (n == null || n.isNull()) {
            throw new LineException("\"" + field + "\" is missing");
        }
        if (!n.isTextual()) {
            throw new LineException("\"" + field + "\" must be an assertion id (64 hex digits), got " + excerpt(n));
        }
        try {
            return AssertionId.parse(n.asText());
        } catch (StemeException e) {
            throw new LineException("\"" + field + "\": " + e.getMessage());
        }
    }

    private static Hlc hlc(JsonNode n) {
        if (n == null || n.isNull()) {
            throw new LineException("\"hlc\" is missing; it must be {\"physical\": ms, \"logical\": n, \"node\": \"hex\"}");
        }
        if (!n.isObject()) {
            throw new LineException("\"hlc\" must be an object {\"physical\": ms, \"logical\": n, \"node\": \"hex\"}, got " + excerpt(n));
        }
        checkFields(n, HLC_FIELDS, "\"hlc\"", null);
        JsonNode physical = n.get("physical");
        if (physical == null || !physical.isIntegralNumber() || !physical.canConvertToLong() || physical.longValue() < 0) {
            throw new LineException("\"hlc\".\"physical\" must be a whole number of milliseconds since 1970, got " + excerpt(physical));
        }
        JsonNode logical = n.get("logical");
        if (logical == null || !logical.isIntegralNumber() || !logical.canConvertToInt() || logical.intValue() < 0) {
            throw new LineException("\"hlc\".\"logical\" must be a whole number of at least 0, got " + excerpt(logical));
        }
        JsonNode node = n.get("node");
        if (node == null || !node.isTextual() || !node.asText().matches("[0-9a-fA-F]{1,16}")) {
            throw new LineException("\"hlc\".\"node\" must be a node id of 1 to 16 hex digits, got " + excerpt(node));
        }
        return Hlc.of(physical.longValue(), logical.intValue(), Long.parseUnsignedLong(node.asText(), 16));
    }

    /**
     * The value of a JSON object's {@code "type"} and {@code "value"} fields: the one reading of a
     * value for import files, the pilot server's API and demo datasets. Without a {@code "type"}
     * the JSON kind decides: a string is text, a whole number an integer, another number a real,
     * true or false a boolean.
     *
     * @throws LineException naming what is wrong, for the caller to place (line, request field)
     */
    public static Value typedValue(JsonNode object) {
        JsonNode value = object.get("value");
        if (value == null || value.isNull()) {
            throw new LineException("\"value\" is missing");
        }
        JsonNode t = object.get("type");
        Value.Type type;
        if (t == null || t.isNull()) {
            type = kindOf(value);
        } else {
            type = t.isTextual() ? typeOf(t.textValue()) : null;
            if (type == null) {
                throw new LineException("\"type\" is " + (t.isTextual() ? "'" + excerpt(t.textValue()) + "'" : excerpt(t))
                        + "; it must be one of " + String.join(", ", TYPE_NAMES));
            }
        }
        try {
            return value(type, value);
        } catch (StemeException e) {
            throw new LineException(e.getMessage());
        }
    }

    private static Value.Type kindOf(JsonNode value) {
        if (value.isTextual()) {
            return Value.Type.TEXT;
        }
        if (value.isIntegralNumber()) {
            return Value.Type.INTEGER;
        }
        if (value.isNumber()) {
            return Value.Type.REAL;
        }
        if (value.isBoolean()) {
            return Value.Type.BOOLEAN;
        }
        throw new LineException("\"value\" must be a string, a number or a boolean (or give its \"type\"), got "
                + excerpt(value));
    }

    /** A value of {@code type} from its JSON form. */
    private static Value value(Value.Type type, JsonNode n) {
        String name = typeName(type);
        switch (type) {
            case TEXT:
                return Value.text(textValue(n, name));
            case REF:
                return Value.ref(textValue(n, name));
            case INTEGER:
                if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                    throw new LineException("an integer value must be a whole number between " + Long.MIN_VALUE + " and "
                            + Long.MAX_VALUE + ", got " + excerpt(n));
                }
                return Value.integer(n.longValue());
            case REAL:
                if (n.isNumber()) {
                    return Value.real(finite(n));
                }
                if (n.isTextual() && (n.asText().equals("Infinity") || n.asText().equals("-Infinity"))) {
                    return Value.real(n.asText().startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                }
                throw new LineException("a real value must be a number (or \"Infinity\", \"-Infinity\"), got " + excerpt(n));
            case BOOLEAN:
                if (!n.isBoolean()) {
                    throw new LineException("a boolean value must be true or false, got " + excerpt(n));
                }
                return Value.bool(n.booleanValue());
            case BYTES: {
                String hex = textValue(n, name);
                if (hex.length() % 2 != 0 || !hex.matches("[0-9a-fA-F]*")) {
                    throw new LineException("a bytes value must be a string of hex digits, two per byte, got \"" + excerpt(hex) + "\"");
                }
                return Value.bytes(HEX.parseHex(hex));
            }
            case INSTANT:
                try {
                    return Value.instant(TextInput.instant(textValue(n, name)));
                } catch (IllegalArgumentException e) {
                    throw new LineException("an instant value: " + e.getMessage());
                }
            default:
                throw new AssertionError(type);
        }
    }

    /**
     * A JSON number as a double, refused when it is outside the range of a double: JSON has no
     * infinity, so a number that reads as one (1e400) is too large, not infinite; Infinity is
     * written as a string.
     */
    public static double finite(JsonNode n) {
        double d = n.doubleValue();
        if (Double.isInfinite(d)) {
            throw new LineException("the number " + excerpt(n) + " is outside the range of a double (about 1.8e308); "
                    + "write infinity as the string \"Infinity\" or \"-Infinity\"");
        }
        return d;
    }

    private static String textValue(JsonNode n, String type) {
        if (!n.isTextual()) {
            throw new LineException("a " + type + " value must be a string, got " + excerpt(n));
        }
        return n.asText();
    }

    /**
     * A bounded excerpt of input for an error message: a 10 MB field gives a line of a hundred
     * characters, not 10 MB. The length of what was cut is said.
     */
    public static String excerpt(String s) {
        return TextInput.excerpt(s);
    }

    /** A JSON node as an error message shows it: {@link #excerpt} of its JSON text. */
    public static String excerpt(JsonNode n) {
        return n == null ? "nothing" : excerpt(n.toString());
    }

    /**
     * What Jackson says is wrong with a document, without its internals: the first line of its
     * message, less the "[Source: ...]" and "start marker at ..." parts (which name its input
     * class and positions of its own), and bounded.
     */
    public static String jsonProblem(JsonProcessingException e) {
        String detail = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        detail = detail.replaceAll("\\s*\\((start marker|for [A-Za-z]+ starting) at \\[Source:[^\\]]*\\][^)]*\\)", "")
                .replaceAll("\\s*at \\[Source:[^\\]]*\\]", "")
                .replaceAll("\\[Source:[^\\]]*\\]", "");
        return TextInput.excerpt(detail.strip(), 200);
    }
}
