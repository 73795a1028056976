package io.stemedb.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the canonical test vectors ({@code canonical-vectors-v1.jsonl}, described in docs/format.md)
 * and rebuilds the assertion each one describes. The reading is strict: an unknown or missing field
 * is an error, so a vector means exactly one thing.
 */
final class CanonicalVectors {
    static final String RESOURCE = "/canonical-vectors-v1.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    /** One line of the file. */
    record Vector(int line, String name, JsonNode assertionJson, String canonicalHex, String id) {
        Assertion assertion() {
            return CanonicalVectors.assertion(assertionJson);
        }

        byte[] canonicalBytes() {
            return HEX.parseHex(canonicalHex);
        }

        @Override
        public String toString() {
            return "line " + line + " '" + name + "'";
        }
    }

    private CanonicalVectors() {}

    static List<Vector> load() {
        InputStream in = CanonicalVectors.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException(RESOURCE + " is not on the test class path");
        }
        List<Vector> vectors = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode v = JSON.readTree(line);
                onlyFields(v, Set.of("name", "assertion", "canonical_hex", "id"), "vector");
                vectors.add(new Vector(n, text(v, "name"), required(v, "assertion"), text(v, "canonical_hex"), text(v, "id")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return vectors;
    }

    /** Builds the assertion a vector's {@code "assertion"} object describes, through the public API. */
    static Assertion assertion(JsonNode a) {
        String kind = text(a, "kind");
        switch (kind) {
            case "claim": {
                onlyFields(a, Set.of("kind", "subject", "predicate", "value", "source", "hlc",
                        "confidence", "validFrom", "validTo", "metadata"), "claim");
                Claim.Builder b = Claim.builder(text(a, "subject"), text(a, "predicate"), value(required(a, "value")))
                        .source(text(a, "source"))
                        .hlc(hlc(required(a, "hlc")));
                if (a.has("confidence")) {
                    JsonNode c = a.get("confidence");
                    if (!c.isNumber()) {
                        throw new IllegalArgumentException("confidence must be a JSON number: " + c);
                    }
                    b.confidence(c.doubleValue());
                }
                if (a.has("validFrom")) {
                    b.validFrom(instant(a.get("validFrom")));
                }
                if (a.has("validTo")) {
                    b.validTo(instant(a.get("validTo")));
                }
                if (a.has("metadata")) {
                    b.metadata(metadata(a.get("metadata")));
                }
                return b.build();
            }
            case "retraction":
                onlyFields(a, Set.of("kind", "target", "source", "hlc", "metadata"), "retraction");
                return Retraction.of(AssertionId.parse(text(a, "target")), text(a, "source"), hlc(required(a, "hlc")),
                        a.has("metadata") ? metadata(a.get("metadata")) : null);
            case "erasure": {
                onlyFields(a, Set.of("kind", "erases", "source", "hlc", "reason", "metadata"), "erasure");
                return Erasure.of(scope(required(a, "erases")), text(a, "source"), hlc(required(a, "hlc")), text(a, "reason"),
                        a.has("metadata") ? metadata(a.get("metadata")) : null);
            }
            default:
                throw new IllegalArgumentException("unknown kind '" + kind + "'");
        }
    }

    /** An erasure's scope: {@code {"scope": "ids", "ids": [hex...]}}, or "subject", "fact", "source-subject" with their names. */
    static Erasure.Scope scope(JsonNode e) {
        String scope = text(e, "scope");
        switch (scope) {
            case "ids": {
                onlyFields(e, Set.of("scope", "ids"), "ids scope");
                List<AssertionId> ids = new ArrayList<>();
                required(e, "ids").forEach(id -> ids.add(AssertionId.parse(id.asText())));
                return Erasure.Scope.ids(ids);
            }
            case "subject":
                onlyFields(e, Set.of("scope", "subject"), "subject scope");
                return Erasure.Scope.subject(text(e, "subject"));
            case "fact":
                onlyFields(e, Set.of("scope", "subject", "predicate"), "fact scope");
                return Erasure.Scope.fact(text(e, "subject"), text(e, "predicate"));
            case "source-subject":
                onlyFields(e, Set.of("scope", "source", "subject"), "source-subject scope");
                return Erasure.Scope.bySourceAbout(text(e, "source"), text(e, "subject"));
            default:
                throw new IllegalArgumentException("unknown scope '" + scope + "'");
        }
    }

    static Value value(JsonNode v) {
        String type = text(v, "type");
        switch (type) {
            case "text":
                onlyFields(v, Set.of("type", "text"), "text value");
                return Value.text(text(v, "text"));
            case "integer":
                onlyFields(v, Set.of("type", "value"), "integer value");
                return Value.integer(Long.parseLong(text(v, "value")));
            case "real": {
                onlyFields(v, Set.of("type", "bits", "decimal"), "real value");
                long bits = Long.parseUnsignedLong(hex16(v, "bits"), 16);
                if (v.has("decimal")) {
                    // informative only; it must agree with the bits
                    long parsed = Double.doubleToRawLongBits(Double.parseDouble(text(v, "decimal")));
                    if (parsed != bits) {
                        throw new IllegalArgumentException("decimal " + v.get("decimal") + " does not match bits " + v.get("bits"));
                    }
                }
                return Value.real(Double.longBitsToDouble(bits));
            }
            case "boolean":
                onlyFields(v, Set.of("type", "value"), "boolean value");
                if (!required(v, "value").isBoolean()) {
                    throw new IllegalArgumentException("boolean value must be true or false: " + v);
                }
                return Value.bool(v.get("value").booleanValue());
            case "bytes":
                onlyFields(v, Set.of("type", "hex"), "bytes value");
                return Value.bytes(HEX.parseHex(text(v, "hex")));
            case "instant":
                onlyFields(v, Set.of("type", "seconds", "nanos"), "instant value");
                return Value.instant(instant(v));
            case "ref":
                onlyFields(v, Set.of("type", "subject"), "ref value");
                return Value.ref(text(v, "subject"));
            default:
                throw new IllegalArgumentException("unknown value type '" + type + "'");
        }
    }

    static Hlc hlc(JsonNode h) {
        onlyFields(h, Set.of("physical", "logical", "node"), "hlc");
        return Hlc.of(Long.parseLong(text(h, "physical")), int32(h, "logical"),
                Long.parseUnsignedLong(hex16(h, "node"), 16));
    }

    /** {"seconds": "decimal i64 as a string", "nanos": 0..999999999}, where seconds is the floor. */
    static Instant instant(JsonNode t) {
        if (!t.has("type")) {
            onlyFields(t, Set.of("seconds", "nanos"), "instant");
        }
        int nanos = int32(t, "nanos");
        if (nanos < 0 || nanos > 999_999_999) {
            throw new IllegalArgumentException("nanos out of range: " + t);
        }
        return Instant.ofEpochSecond(Long.parseLong(text(t, "seconds")), nanos);
    }

    /** The entries in the order the file lists them (which is deliberately not always the canonical order). */
    static Map<String, String> metadata(JsonNode m) {
        if (!m.isObject()) {
            throw new IllegalArgumentException("metadata must be a JSON object: " + m);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("metadata values must be strings: " + m);
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode f = n.get(field);
        if (f == null || f.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "' in " + n);
        }
        return f;
    }

    private static String text(JsonNode n, String field) {
        JsonNode f = required(n, field);
        if (!f.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a JSON string in " + n);
        }
        return f.textValue();
    }

    private static String hex16(JsonNode n, String field) {
        String s = text(n, field);
        if (!s.matches("[0-9a-f]{16}")) {
            throw new IllegalArgumentException("field '" + field + "' must be 16 lowercase hex digits in " + n);
        }
        return s;
    }

    private static int int32(JsonNode n, String field) {
        JsonNode f = required(n, field);
        if (!f.isInt()) {
            throw new IllegalArgumentException("field '" + field + "' must be a JSON integer in int range in " + n);
        }
        return f.intValue();
    }

    private static void onlyFields(JsonNode n, Set<String> allowed, String what) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(what + " must be a JSON object: " + n);
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String f = e.getKey();
            if (!allowed.contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "' in " + what + " " + n);
            }
        }
    }
}
