package io.stemedb.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The reading of one JSON Lines line into the assertion it describes ({@link JsonLines#parse}). Stateless. */
final class AssertionReader {
    private static final Set<String> CLAIM_FIELDS = Set.of("id", "hlc", "source", "subject", "predicate", "type",
            "value", "confidence", "validFrom", "validTo", "metadata");
    private static final Set<String> RETRACTION_FIELDS = Set.of("id", "hlc", "source", "retracts", "metadata");
    private static final Set<String> ERASURE_FIELDS = Set.of("id", "hlc", "source", "erases", "reason", "metadata");
    private static final Set<String> HLC_FIELDS = Set.of("physical", "logical", "node");

    private AssertionReader() {}

    /** @throws JsonLines.LineException saying what is wrong */
    static Assertion parse(String line) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw new JsonLines.LineException("not valid JSON" + (column > 0 ? " at column " + column : "") + ": "
                    + Json.problem(e));
        }
        if (node == null || !node.isObject()) {
            throw new JsonLines.LineException("expected a JSON object (one assertion per line), got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        try {
            Assertion a = node.has("retracts") ? retraction(node) : node.has("erases") ? erasure(node) : claim(node);
            JsonNode id = node.get("id");
            if (id != null && !id.isNull()) {
                AssertionId stated = parseId("id", id);
                if (!stated.equals(a.id())) {
                    throw new JsonLines.LineException("the stated id " + stated + " is not the id of this assertion, "
                            + a.id() + "; the line was edited after export, or its id belongs to another assertion "
                            + "(leave \"id\" out to accept the computed one)");
                }
            }
            return a;
        } catch (JsonLines.LineException e) {
            throw e;
        } catch (StemeException e) {
            throw new JsonLines.LineException(e.getMessage());
        }
    }

    private static Claim claim(JsonNode o) {
        checkFields(o, CLAIM_FIELDS, "a claim", "retracts");
        String subject = requiredText(o, "subject");
        String predicate = requiredText(o, "predicate");
        requiredText(o, "type");
        Claim.Builder b = Claim.builder(subject, predicate, Values.typed(o))
                .source(requiredText(o, "source"))
                .hlc(hlc(o.get("hlc")));
        JsonNode confidence = o.get("confidence");
        if (confidence != null && !confidence.isNull()) {
            if (!confidence.isNumber()) {
                throw new JsonLines.LineException("\"confidence\" must be a number between 0 and 1, got " + Json.excerpt(confidence));
            }
            b.confidence(Values.finite(confidence));
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

    private static Erasure erasure(JsonNode o) {
        checkFields(o, ERASURE_FIELDS, "an erasure", "subject");
        return Erasure.of(Json.erasureScope(o.get("erases")), requiredText(o, "source"), hlc(o.get("hlc")),
                requiredText(o, "reason"), metadata(o));
    }

    private static void checkFields(JsonNode o, Set<String> allowed, String what, String other) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                String hint = f.equals(other)
                        ? "; a line is either a claim (with subject, predicate, type, value) or a retraction (with retracts), not both"
                        : "; " + what + " has the fields " + String.join(", ", sorted(allowed));
                throw new JsonLines.LineException("unknown field \"" + TextInput.excerpt(f) + "\"" + hint);
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
            throw new JsonLines.LineException("\"" + field + "\" is missing");
        }
        if (!n.isTextual()) {
            throw new JsonLines.LineException("\"" + field + "\" must be a string, got " + Json.excerpt(n));
        }
        return n.asText();
    }

    private static Instant optionalTime(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new JsonLines.LineException("\"" + field + "\" must be a string such as \"2023-03-20T00:00:00Z\", got "
                    + Json.excerpt(n));
        }
        try {
            return TextInput.instant(n.asText());
        } catch (IllegalArgumentException e) {
            throw new JsonLines.LineException("\"" + field + "\": " + e.getMessage());
        }
    }

    private static Map<String, String> metadata(JsonNode o) {
        JsonNode n = o.get("metadata");
        Map<String, String> meta = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return meta;
        }
        if (!n.isObject()) {
            throw new JsonLines.LineException("\"metadata\" must be an object of strings, got " + Json.excerpt(n));
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isTextual()) {
                throw new JsonLines.LineException("metadata \"" + TextInput.excerpt(e.getKey()) + "\" must be a string, got "
                        + Json.excerpt(e.getValue()));
            }
            meta.put(e.getKey(), e.getValue().asText());
        }
        return meta;
    }

    private static AssertionId parseId(String field, JsonNode n) {
        if (n == null || n.isNull()) {
            throw new JsonLines.LineException("\"" + field + "\" is missing");
        }
        if (!n.isTextual()) {
            throw new JsonLines.LineException("\"" + field + "\" must be an assertion id (64 hex digits), got " + Json.excerpt(n));
        }
        try {
            return AssertionId.parse(n.asText());
        } catch (StemeException e) {
            throw new JsonLines.LineException("\"" + field + "\": " + e.getMessage());
        }
    }

    private static Hlc hlc(JsonNode n) {
        if (n == null || n.isNull()) {
            throw new JsonLines.LineException("\"hlc\" is missing; it must be {\"physical\": ms, \"logical\": n, \"node\": \"hex\"}");
        }
        if (!n.isObject()) {
            throw new JsonLines.LineException("\"hlc\" must be an object {\"physical\": ms, \"logical\": n, \"node\": \"hex\"}, got "
                    + Json.excerpt(n));
        }
        checkFields(n, HLC_FIELDS, "\"hlc\"", null);
        JsonNode physical = n.get("physical");
        if (physical == null || !physical.isIntegralNumber() || !physical.canConvertToLong() || physical.longValue() < 0) {
            throw new JsonLines.LineException("\"hlc\".\"physical\" must be a whole number of milliseconds since 1970, got "
                    + Json.excerpt(physical));
        }
        JsonNode logical = n.get("logical");
        if (logical == null || !logical.isIntegralNumber() || !logical.canConvertToInt() || logical.intValue() < 0) {
            throw new JsonLines.LineException("\"hlc\".\"logical\" must be a whole number of at least 0, got " + Json.excerpt(logical));
        }
        JsonNode node = n.get("node");
        String hex = node == null || !node.isTextual() ? "" : node.asText();
        if (hex.isEmpty() || hex.length() > 16 || !Json.hexDigits(hex)) {
            throw new JsonLines.LineException("\"hlc\".\"node\" must be a node id of 1 to 16 hex digits, got " + Json.excerpt(node));
        }
        return Hlc.of(physical.longValue(), logical.intValue(), Long.parseUnsignedLong(hex, 16));
    }
}
