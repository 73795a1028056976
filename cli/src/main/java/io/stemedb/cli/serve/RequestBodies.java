package io.stemedb.cli.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemedb.json.Json;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request bodies of the pilot server's API: strict parsing of claims and retractions (every
 * field checked for presence and type, unknown fields refused, so a typo is an error rather than
 * a silently dropped field). Replies are rendered by {@link Json}, the shape the command line's
 * {@code --json} prints too.
 *
 * <p>A claim: {@code {"subject": "acme", "predicate": "ceo", "value": "Alice", "source": "hr"}}
 * with optional {@code "type"} (text, integer, real, boolean, instant, ref, bytes; by default taken
 * from the JSON value: string text, whole number integer, other number real, true/false boolean),
 * {@code "confidence"} (a number in [0, 1]), {@code "validFrom"}/{@code "validTo"} (ISO-8601
 * instants, date-times with an offset, or dates) and {@code "metadata"} (an object of strings);
 * bytes are written in hex. A retraction: {@code {"retracts": "<64 hex digits>", "source": "hr"}}
 * with optional {@code "metadata"}. Stateless and thread-safe.
 */
final class RequestBodies {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static {
        // Bodies are bounded by the server's size limit; bound nesting too, so no body can exhaust the stack.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private static final Set<String> CLAIM_FIELDS = Set.of("subject", "predicate", "value", "type", "source",
            "confidence", "validFrom", "validTo", "metadata");
    private static final Set<String> RETRACTION_FIELDS = Set.of("retracts", "source", "metadata");
    private static final Set<String> ERASURE_FIELDS = Set.of("erases", "source", "reason", "metadata");

    private RequestBodies() {}

    /** A claim as received, checked for shape and types; {@link #check} applies the model's own rules. */
    record ClaimInput(String subject, String predicate, Value value, String source, Double confidence,
            Instant validFrom, Instant validTo, Map<String, String> metadata) {

        /** Builds the claim with a provisional timestamp, so that every model rule is checked before anything is written. */
        void check(String where, long node) {
            try {
                Claim.Builder b = Claim.builder(subject, predicate, value).source(source)
                        .hlc(Hlc.of(System.currentTimeMillis(), 0, node))
                        .validFrom(validFrom).validTo(validTo).metadata(metadata);
                if (confidence != null) {
                    b.confidence(confidence);
                }
                b.build();
            } catch (StemeException e) {
                throw invalid(where, e);
            }
        }
    }

    /** A retraction as received. */
    record RetractionInput(AssertionId target, String source, Map<String, String> metadata) {
        void check(String where, long node) {
            try {
                Retraction.of(target, source, Hlc.of(System.currentTimeMillis(), 0, node), metadata);
            } catch (StemeException e) {
                throw invalid(where, e);
            }
        }
    }

    private static ApiException invalid(String where, StemeException e) {
        String field = e instanceof Assertion.InvalidAssertionException invalid ? invalid.field() : null;
        return ApiException.badRequest("invalid_assertion", where + (field == null ? "" : "." + field) + ": " + e.getMessage());
    }

    /**
     * Parses a request body: strict UTF-8 (an overlong form such as {@code c0 af} is refused, not
     * read as '/'), one JSON document, nothing after it. Errors say where and what, never how
     * Jackson saw it.
     */
    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("invalid_json", "the request body is empty; send a JSON document");
        }
        String text = ApiRequest.utf8(body, "the request body");
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ApiException.badRequest("invalid_json", "the body is not valid JSON" + where + ": " + Json.problem(e));
        }
    }

    /**
     * The elements of a body that is one object or an array of objects, each paired with the name
     * used for it in error messages ({@code claim}, or {@code claims[3]}).
     */
    static List<Map.Entry<String, JsonNode>> elements(JsonNode body, String singular, String plural, int maxElements) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        if (body.isObject()) {
            out.add(Map.entry(singular, body));
        } else if (body.isArray()) {
            if (body.isEmpty()) {
                throw ApiException.badRequest("invalid_body", "the array of " + plural + " is empty; send at least one");
            }
            if (body.size() > maxElements) {
                throw new ApiException(413, "too_many_elements", "the batch has " + body.size() + " " + plural
                        + ", more than the limit of " + maxElements + "; split it into several requests");
            }
            for (int i = 0; i < body.size(); i++) {
                out.add(Map.entry(plural + "[" + i + "]", body.get(i)));
            }
        } else {
            throw ApiException.badRequest("invalid_body", "the body must be a JSON object (one " + singular
                    + ") or an array of them, got " + kind(body));
        }
        return out;
    }

    static ClaimInput claim(String where, JsonNode node) {
        object(where, node, CLAIM_FIELDS);
        String subject = requiredText(where, node, "subject");
        String predicate = requiredText(where, node, "predicate");
        String source = requiredText(where, node, "source");
        Value value = value(where, node);
        Double confidence = null;
        JsonNode c = node.get("confidence");
        if (c != null && !c.isNull()) {
            if (!c.isNumber()) {
                throw ApiException.badRequest("invalid_field", where + ".confidence must be a number in [0, 1], got " + kind(c));
            }
            try {
                confidence = Json.finite(c);
            } catch (Json.InvalidJsonException e) {
                throw ApiException.badRequest("invalid_field", where + ".confidence: " + e.getMessage());
            }
        }
        return new ClaimInput(subject, predicate, value, source, confidence, optionalTime(where, node, "validFrom"),
                optionalTime(where, node, "validTo"), metadata(where, node));
    }

    static RetractionInput retraction(String where, JsonNode node) {
        object(where, node, RETRACTION_FIELDS);
        String target = requiredText(where, node, "retracts");
        AssertionId id;
        try {
            id = AssertionId.parse(target);
        } catch (StemeException e) {
            throw ApiException.badRequest("invalid_field", where + ".retracts must be an assertion id (64 hex digits): " + e.getMessage());
        }
        return new RetractionInput(id, requiredText(where, node, "source"), metadata(where, node));
    }

    /** The body of {@code POST /v1/erasures}: what to erase, who erases, why. */
    record ErasureInput(Erasure.Scope scope, String source, String reason, Map<String, String> metadata) {}

    static ErasureInput erasure(String where, JsonNode node) {
        object(where, node, ERASURE_FIELDS);
        Erasure.Scope scope;
        try {
            scope = Json.erasureScope(node.get("erases"));
        } catch (StemeException e) {
            throw ApiException.badRequest("invalid_field", where + ".erases: " + e.getMessage());
        }
        return new ErasureInput(scope, requiredText(where, node, "source"), requiredText(where, node, "reason"),
                metadata(where, node));
    }

    private static void object(String where, JsonNode node, Set<String> fields) {
        if (!node.isObject()) {
            throw ApiException.badRequest("invalid_body", where + " must be a JSON object, got " + kind(node));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw ApiException.badRequest("unknown_field", where + " has an unknown field \"" + TextInput.excerpt(name)
                        + "\"; the fields are " + new java.util.TreeSet<>(fields));
            }
        }
    }

    private static String requiredText(String where, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("missing_field", where + "." + field + " is missing");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("invalid_field", where + "." + field + " must be a string, got " + kind(v));
        }
        return v.textValue();
    }

    private static Instant optionalTime(String where, JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : time(where + "." + field, v);
    }

    /** An ISO-8601 instant ({@code 2023-03-02T14:30:00Z}) or date ({@code 2023-03-02}, midnight UTC). */
    private static Instant time(String what, JsonNode v) {
        if (v.isTextual()) {
            try {
                return TextInput.instant(v.textValue());
            } catch (IllegalArgumentException e) {
                // fall through to the error below
            }
        }
        throw ApiException.badRequest("invalid_field", what + " must be " + TextInput.INSTANT_FORMS + ", got " + kind(v));
    }

    private static Map<String, String> metadata(String where, JsonNode node) {
        JsonNode m = node.get("metadata");
        if (m == null || m.isNull()) {
            return Map.of();
        }
        if (!m.isObject()) {
            throw ApiException.badRequest("invalid_field", where + ".metadata must be an object of strings, got " + kind(m));
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : m.properties()) {
            if (!f.getValue().isTextual()) {
                throw ApiException.badRequest("invalid_field", where + ".metadata \"" + TextInput.excerpt(f.getKey())
                        + "\" must be a string, got " + kind(f.getValue()));
            }
            result.put(f.getKey(), f.getValue().textValue());
        }
        return result;
    }

    private static Value value(String where, JsonNode node) {
        JsonNode v = node.get("value");
        if (v == null || v.isNull()) {
            throw ApiException.badRequest("missing_field", where + ".value is missing");
        }
        try {
            return Json.typedValue(node);
        } catch (Json.InvalidJsonException e) {
            throw ApiException.badRequest("invalid_field", where + ".value: " + e.getMessage());
        }
    }

    /** How a JSON node is described in an error: its type, and a bounded excerpt of it. */
    static String kind(JsonNode v) {
        String type = v.isObject() ? "an object" : v.isArray() ? "an array" : v.isTextual() ? "a string"
                : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean" : v.isNull() ? "null" : v.getNodeType().toString();
        return type + " " + Json.excerpt(v);
    }
}
