package io.stemedb.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.Conflict;
import io.stemedb.Page;
import io.stemedb.crdt.ErasedClaim;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Resolution;
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
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * The one JSON shape of StemeDB's answers, shared by {@code stemedb ... --json}, the HTTP API and
 * any embedding application: an assertion (the shape of a JSON Lines line, {@link JsonLines}), a
 * value ({@code {"type", "value"}}), a resolution with its evidence and explanation, a history, a
 * conflict and the pages of listings. docs/cli.md describes each document and docs/openapi.json
 * holds their schemas.
 *
 * <p>Stateless and thread-safe; every method returns a new tree the caller may change.
 */
public final class Json {
    /** Strict JSON: duplicate keys and trailing tokens are errors. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final HexFormat HEX = HexFormat.of();

    /** The value type names, in the order of {@link Value.Type}. */
    public static final List<String> TYPE_NAMES = List.of("text", "integer", "real", "boolean", "bytes", "instant", "ref");

    private Json() {}

    /** JSON that is not what it should be; the message says what is wrong and where (a field, a column). */
    public static class InvalidJsonException extends StemeException {
        private static final long serialVersionUID = 1L;

        InvalidJsonException(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- trees and text

    /** A new empty object. */
    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** A new empty array. */
    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** {@code node} as compact JSON text. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** {@code node} as indented JSON text, for people and {@code jq}. */
    public static String writePretty(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /**
     * What Jackson says is wrong with a document, without its internals: the first line of its
     * message, less the "[Source: ...]" and "start marker at ..." parts (which name its input
     * class and positions of its own), and bounded.
     */
    public static String problem(JsonProcessingException e) {
        String detail = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
        detail = detail.replaceAll("\\s*\\((start marker|for [A-Za-z]+ starting) at \\[Source:[^\\]]*\\][^)]*\\)", "")
                .replaceAll("\\s*at \\[Source:[^\\]]*\\]", "")
                .replaceAll("\\[Source:[^\\]]*\\]", "");
        return TextInput.excerpt(detail.strip(), 200);
    }

    /**
     * Whether every character of {@code s} is a hex digit (true for ""). A loop, not
     * {@code String.matches}, which compiles its pattern on every call: once per imported line,
     * that was 9% of a JSON Lines import's loading thread.
     */
    static boolean hexDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!HexFormat.isHexDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A JSON node as an error message shows it: a bounded excerpt of its JSON text. */
    public static String excerpt(JsonNode n) {
        return n == null ? "nothing" : TextInput.excerpt(n.toString());
    }

    // ---------------------------------------------------------------- values

    /** The name of a value type in files, options and documents: text, integer, real, boolean, bytes, instant, ref. */
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

    /** A value as {@code {"type": ..., "value": ...}}. */
    public static ObjectNode value(Value v) {
        ObjectNode o = object();
        o.put("type", typeName(v.type()));
        o.set("value", payload(v));
        return o;
    }

    /** The JSON form of a value without its type: bytes in hex, instants in ISO-8601, infinities as strings. */
    public static JsonNode payload(Value v) {
        return switch (v.type()) {
            case TEXT, REF -> NODES.textNode(v.asText());
            case INTEGER -> NODES.numberNode(v.asLong());
            case REAL -> {
                double d = v.asDouble();
                yield Double.isInfinite(d) ? NODES.textNode(d > 0 ? "Infinity" : "-Infinity") : NODES.numberNode(d);
            }
            case BOOLEAN -> NODES.booleanNode(v.asBoolean());
            case BYTES -> NODES.textNode(HEX.formatHex(v.asBytes()));
            case INSTANT -> NODES.textNode(v.asInstant().toString());
        };
    }

    /** Values as an array of {@link #value(Value)}. */
    public static ArrayNode values(Collection<Value> values) {
        ArrayNode a = array();
        values.forEach(v -> a.add(value(v)));
        return a;
    }

    /**
     * The value of a JSON object's {@code "type"} and {@code "value"} fields: the one reading of a
     * value for import files, the HTTP API and demo datasets. Without a {@code "type"} the JSON
     * kind decides: a string is text, a whole number an integer, another number a real, true or
     * false a boolean.
     *
     * @throws InvalidJsonException naming what is wrong, for the caller to place (line, request field)
     */
    public static Value typedValue(JsonNode object) {
        return Values.typed(object);
    }

    /**
     * A JSON number as a double, refused when it is outside the range of a double: JSON has no
     * infinity, so a number that reads as one (1e400) is too large, not infinite.
     *
     * @throws InvalidJsonException if it is
     */
    public static double finite(JsonNode n) {
        return Values.finite(n);
    }

    // ---------------------------------------------------------------- documents

    /**
     * An assertion, every field included, in the shape of a JSON Lines line: {@code id},
     * {@code hlc}, {@code source}, then {@code subject}, {@code predicate}, {@code type},
     * {@code value} and the optional {@code confidence}, {@code validFrom}, {@code validTo} of a
     * claim, or {@code retracts} of a retraction, or {@code erases} (its {@link #scope}) and
     * {@code reason} of an erasure, and {@code metadata} when there is any.
     */
    public static ObjectNode assertion(Assertion a) {
        ObjectNode o = object();
        o.put("id", a.id().toString());
        ObjectNode hlc = o.putObject("hlc");
        hlc.put("physical", a.hlc().physicalMillis());
        hlc.put("logical", a.hlc().logical());
        hlc.put("node", Hlc.nodeHex(a.hlc().node()));
        o.put("source", a.source());
        if (a instanceof Claim c) {
            o.put("subject", c.subject());
            o.put("predicate", c.predicate());
            o.put("type", typeName(c.value().type()));
            o.set("value", payload(c.value()));
            c.confidence().ifPresent(conf -> o.put("confidence", conf));
            c.validFrom().ifPresent(t -> o.put("validFrom", t.toString()));
            c.validTo().ifPresent(t -> o.put("validTo", t.toString()));
        } else if (a instanceof Retraction r) {
            o.put("retracts", r.target().toString());
        } else {
            Erasure e = (Erasure) a;
            o.set("erases", scope(e.scope()));
            o.put("reason", e.reason());
        }
        if (!a.metadata().isEmpty()) {
            ObjectNode meta = o.putObject("metadata");
            a.metadata().forEach(meta::put);
        }
        return o;
    }

    /** The names of erasure scopes in documents and on the command line, in the order of {@link Erasure.ScopeKind}. */
    public static final List<String> SCOPE_NAMES = List.of("ids", "subject", "fact", "source-subject");

    /**
     * What an erasure erases: {@code {"scope": "ids", "ids": [...]}}, {@code {"scope": "subject",
     * "subject"}}, {@code {"scope": "fact", "subject", "predicate"}} or {@code {"scope":
     * "source-subject", "source", "subject"}}.
     */
    public static ObjectNode scope(Erasure.Scope scope) {
        ObjectNode o = object();
        o.put("scope", SCOPE_NAMES.get(scope.kind().ordinal()));
        switch (scope.kind()) {
            case IDS -> {
                ArrayNode ids = o.putArray("ids");
                scope.targets().forEach(id -> ids.add(id.toString()));
            }
            case SUBJECT -> o.put("subject", scope.subject());
            case FACT -> o.put("subject", scope.subject()).put("predicate", scope.predicate());
            case SOURCE_SUBJECT -> o.put("source", scope.claimSource()).put("subject", scope.subject());
        }
        return o;
    }

    /**
     * The scope {@link #scope} writes, read back: the one reading of an erasure's scope for JSON
     * Lines files and the HTTP API.
     *
     * @throws InvalidJsonException naming what is wrong
     */
    public static Erasure.Scope erasureScope(JsonNode e) {
        if (e == null || !e.isObject()) {
            throw new InvalidJsonException("\"erases\" must be an object with \"scope\" (one of "
                    + String.join(", ", SCOPE_NAMES) + "), got " + excerpt(e));
        }
        JsonNode kindNode = e.get("scope");
        int index = kindNode == null || !kindNode.isTextual() ? -1 : SCOPE_NAMES.indexOf(kindNode.asText());
        if (index < 0) {
            throw new InvalidJsonException("\"erases.scope\" must be one of " + String.join(", ", SCOPE_NAMES)
                    + ", got " + excerpt(kindNode));
        }
        Erasure.ScopeKind kind = Erasure.ScopeKind.values()[index];
        List<String> fields = switch (kind) {
            case IDS -> List.of("scope", "ids");
            case SUBJECT -> List.of("scope", "subject");
            case FACT -> List.of("scope", "subject", "predicate");
            case SOURCE_SUBJECT -> List.of("scope", "source", "subject");
        };
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw new InvalidJsonException("unknown field \"erases." + TextInput.excerpt(f) + "\"; a " + SCOPE_NAMES.get(index)
                        + " scope has the fields " + String.join(", ", fields));
            }
        }
        return switch (kind) {
            case IDS -> {
                JsonNode ids = e.get("ids");
                if (ids == null || !ids.isArray()) {
                    throw new InvalidJsonException("\"erases.ids\" must be an array of assertion ids, got " + excerpt(ids));
                }
                List<AssertionId> targets = new ArrayList<>();
                for (JsonNode id : ids) {
                    if (!id.isTextual()) {
                        throw new InvalidJsonException("\"erases.ids\" holds " + excerpt(id) + ", not an assertion id");
                    }
                    try {
                        targets.add(AssertionId.parse(id.asText()));
                    } catch (StemeException ex) {
                        throw new InvalidJsonException("\"erases.ids\": " + ex.getMessage());
                    }
                }
                yield Erasure.Scope.ids(targets);
            }
            case SUBJECT -> Erasure.Scope.subject(scopeText(e, "subject"));
            case FACT -> Erasure.Scope.fact(scopeText(e, "subject"), scopeText(e, "predicate"));
            case SOURCE_SUBJECT -> Erasure.Scope.bySourceAbout(scopeText(e, "source"), scopeText(e, "subject"));
        };
    }

    private static String scopeText(JsonNode e, String field) {
        JsonNode n = e.get(field);
        if (n == null || !n.isTextual()) {
            throw new InvalidJsonException("\"erases." + field + "\" must be a string, got " + excerpt(n));
        }
        return n.asText();
    }

    /** A claim whose content was erased: {@code {"claim": id, "erasure": assertion, "explain"}}. */
    public static ObjectNode erased(ErasedClaim e) {
        ObjectNode o = object();
        o.put("claim", e.claim().toString());
        o.set("erasure", assertion(e.erasure()));
        o.put("explain", e.describe());
        return o;
    }

    /** Assertions as an array of {@link #assertion}. */
    public static ArrayNode assertions(Collection<? extends Assertion> assertions) {
        ArrayNode a = array();
        assertions.forEach(x -> a.add(assertion(x)));
        return a;
    }

    /** One assertion and the retractions of it: {@code {"assertion", "retractions"}}. */
    public static ObjectNode assertionWithRetractions(Assertion a, List<Retraction> retractions) {
        ObjectNode o = object();
        o.set("assertion", assertion(a));
        o.set("retractions", assertions(retractions));
        return o;
    }

    /**
     * A resolution with all its evidence: {@code {"subject", "predicate", "lens", "expression",
     * "asOf"?, "value", "values", "winners", "signedBy", "overruled", "setAside": [{"reason", "claim"}],
     * "retracted": [{"claim", "retractions"}], "explain"}}. {@code value} is the one value's
     * payload, or null when the lens chose none or several; {@code signedBy} maps the id of each
     * winner proven by a registered key's signature to that key (hex).
     *
     * @param expression the lens expression as the caller wrote it
     * @param asOf the record time the database was read as of, or null for now
     */
    public static ObjectNode resolution(Resolution r, String expression, Instant asOf) {
        ObjectNode o = object();
        o.put("subject", r.subject());
        o.put("predicate", r.predicate());
        o.put("lens", r.lens());
        o.put("expression", expression);
        if (asOf != null) {
            o.put("asOf", asOf.toString());
        }
        single(o, r);
        o.set("values", values(r.values()));
        o.set("winners", assertions(r.winners()));
        ObjectNode signedBy = o.putObject("signedBy");
        for (Claim w : r.winners()) {
            String key = r.evidence().proofs().signer(w);
            if (key != null) {
                signedBy.put(w.id().toString(), key);
            }
        }
        o.set("overruled", assertions(r.overruled()));
        ArrayNode aside = o.putArray("setAside");
        for (Resolution.SetAside s : r.setAside()) {
            ObjectNode x = aside.addObject();
            x.put("reason", s.reason());
            x.set("claim", assertion(s.claim()));
        }
        ArrayNode retracted = o.putArray("retracted");
        for (Claim c : r.retracted()) {
            ObjectNode x = retracted.addObject();
            x.set("claim", assertion(c));
            x.set("retractions", assertions(r.evidence().retractionsOf(c.id())));
        }
        o.put("explain", r.explain());
        return o;
    }

    private static void single(ObjectNode o, Resolution r) {
        if (r.values().size() == 1) {
            o.set("value", payload(r.values().first()));
        } else {
            o.putNull("value");
        }
    }

    /**
     * Every predicate of a subject, resolved: {@code {"subject", "lens", "expression", "asOf"?,
     * "predicates": {"ceo": {"lens", "value", "values", "winners", "explain"}, ...}}}.
     */
    public static ObjectNode entity(String subject, SortedMap<String, Resolution> entity, String lens, String expression,
            Instant asOf) {
        ObjectNode o = object();
        o.put("subject", subject);
        o.put("lens", lens);
        o.put("expression", expression);
        if (asOf != null) {
            o.put("asOf", asOf.toString());
        }
        ObjectNode predicates = o.putObject("predicates");
        for (Map.Entry<String, Resolution> e : entity.entrySet()) {
            Resolution r = e.getValue();
            ObjectNode p = predicates.putObject(e.getKey());
            p.put("lens", r.lens());
            single(p, r);
            p.set("values", values(r.values()));
            p.set("winners", assertions(r.winners()));
            p.put("explain", r.explain());
        }
        return o;
    }

    /**
     * Every claim about a fact, every retraction of them and the claims erased from it:
     * {@code {"subject", "predicate", "asOf"?, "claims", "retractions", "erased": [}{@link #erased}{@code ]}}.
     */
    public static ObjectNode history(Evidence e, Instant asOf) {
        ObjectNode o = object();
        o.put("subject", e.subject());
        o.put("predicate", e.predicate());
        if (asOf != null) {
            o.put("asOf", asOf.toString());
        }
        o.set("claims", assertions(e.claims()));
        o.set("retractions", assertions(e.retractions()));
        ArrayNode erasedClaims = o.putArray("erased");
        e.erased().forEach(x -> erasedClaims.add(erased(x)));
        return o;
    }

    /** A fact whose live claims disagree: {@code {"subject", "predicate", "values", "claims"}}. */
    public static ObjectNode conflict(Conflict c) {
        ObjectNode o = object();
        o.put("subject", c.subject());
        o.put("predicate", c.predicate());
        o.set("values", values(c.values()));
        o.set("claims", assertions(c.claims()));
        return o;
    }

    /** The conflicts of one subject: {@code {"subject", "conflicts"}}. */
    public static ObjectNode conflicts(String subject, List<Conflict> conflicts) {
        ObjectNode o = object();
        o.put("subject", subject);
        ArrayNode list = o.putArray("conflicts");
        conflicts.forEach(c -> list.add(conflict(c)));
        return o;
    }

    /** A page of the whole database's conflicts: {@code {"conflicts", "next"}}, {@code next} null on the last page. */
    public static ObjectNode conflicts(Page<Conflict> page) {
        ObjectNode o = object();
        ArrayNode list = o.putArray("conflicts");
        page.items().forEach(c -> list.add(conflict(c)));
        o.put("next", page.next());
        return o;
    }

    /** A page of subjects: {@code {"subjects", "next"}}, {@code next} null on the last page. */
    public static ObjectNode subjects(Page<String> page) {
        ObjectNode o = object();
        ArrayNode a = o.putArray("subjects");
        page.items().forEach(a::add);
        o.put("next", page.next());
        return o;
    }

    /**
     * The subjects whose predicate resolves to a value: {@code {"predicate", "value": {"type",
     * "value"}, "expression", "asOf"?, "subjects"}}.
     */
    public static ObjectNode found(String predicate, Value value, String expression, Instant asOf, List<String> subjects) {
        ObjectNode o = object();
        o.put("predicate", predicate);
        o.set("value", value(value));
        o.put("expression", expression);
        if (asOf != null) {
            o.put("asOf", asOf.toString());
        }
        ArrayNode a = o.putArray("subjects");
        subjects.forEach(a::add);
        return o;
    }
}
