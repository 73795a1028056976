package io.stemedb.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.stemedb.MergeResult;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.Value;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A dataset of claims and retractions in JSON Lines, as shipped for {@code stemedb demo}
 * ({@value #RESOURCE}), and the loader that replays it into a database with the recorded times
 * it states, so that every run produces the same HLC timestamps and the same assertion ids.
 *
 * <h2>Format</h2>
 * One JSON object per line (blank lines are skipped), either a claim:
 * <pre>{@code
 * {"key": "tailspin-ipo", "recorded": "2021-09-14T07:00:00Z", "source": "news",
 *  "subject": "tailspin-toys", "predicate": "public", "value": true, "confidence": 0.6,
 *  "validFrom": "2021-09-14", "metadata": {"url": "https://news.example/..."}}
 * }</pre>
 * or a retraction, which names the claim it withdraws by that claim's {@code key} (ids are
 * hashes that depend on the recorded time, so a file cannot spell them):
 * <pre>{@code
 * {"recorded": "2021-11-02T12:00:00Z", "source": "news", "retracts": "tailspin-ipo",
 *  "metadata": {"reason": "IPO postponed"}}
 * }</pre>
 * <ul>
 *   <li>{@code recorded} (required): when the assertion was recorded, an ISO-8601 instant with at
 *       most millisecond precision; it becomes the physical time of its HLC timestamp.</li>
 *   <li>{@code source}, {@code subject}, {@code predicate} (required): non-empty strings.</li>
 *   <li>{@code value} (required) and {@code type} (optional): without a type, a JSON string is
 *       text, an integer number an integer, a number with a fraction or exponent a real, and
 *       true/false a boolean. {@code "type": "ref"} makes a string a reference to another subject,
 *       {@code "instant"} makes a string ({@code 2009-04-14} or {@code 2009-04-14T10:00:00Z}) a
 *       point in time; {@code "text"}, {@code "integer"}, {@code "real"} and {@code "boolean"}
 *       state the inferred types explicitly.</li>
 *   <li>{@code confidence} (optional): a number in [0, 1].</li>
 *   <li>{@code validFrom}, {@code validTo} (optional): the valid-time interval [from, to), each a
 *       date (midnight UTC) or an instant.</li>
 *   <li>{@code metadata} (optional): an object whose values are strings (url, evidence, reason).</li>
 *   <li>{@code key} (optional, claims only): a name unique in the file, for retractions to refer
 *       to.</li>
 * </ul>
 * Unknown fields are errors, so that a typo does not silently drop data. Lines may come in any
 * order: they are loaded in recorded order (ties in file order), and a retraction must be recorded
 * after the claim it retracts. Every error names the file and line.
 *
 * <p>Immutable once read; {@link #load()} may be called any number of times.
 */
public final class DemoDataset {
    /** The class-path resource of the demo dataset. */
    public static final String RESOURCE = "demo/companies.jsonl";

    /** The node id of the database the demo loads into: fixed, so that ids are stable. */
    public static final long NODE_ID = 0x5eed_0000_0000_0001L;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> CLAIM_FIELDS = Set.of("key", "recorded", "source", "subject", "predicate",
            "value", "type", "confidence", "validFrom", "validTo", "metadata");
    private static final Set<String> RETRACTION_FIELDS = Set.of("recorded", "source", "retracts", "metadata");

    /** One line of the file: a claim or a retraction. */
    public sealed interface Entry permits ClaimEntry, RetractionEntry {
        /** The 1-based line number in the file. */
        int line();

        Instant recorded();

        String source();

        Map<String, String> metadata();
    }

    /** A claim line. {@code key}, {@code confidence}, {@code validFrom} and {@code validTo} may be null. */
    public record ClaimEntry(int line, String key, Instant recorded, String source, String subject, String predicate,
            Value value, Double confidence, Instant validFrom, Instant validTo, Map<String, String> metadata)
            implements Entry {

        public boolean hasValidTime() {
            return validFrom != null || validTo != null;
        }
    }

    /** A retraction line: {@code source} withdraws the claim whose key is {@code retracts}. */
    public record RetractionEntry(int line, Instant recorded, String source, String retracts, Map<String, String> metadata)
            implements Entry {}

    /** What a dataset holds, counted. */
    public record Summary(int claims, int retractions, SortedSet<String> sources, SortedSet<String> subjects,
            SortedSet<String> predicates, int claimsWithValidTime, Instant firstRecorded, Instant lastRecorded) {}

    /** A bad dataset; the message names the file and the line. */
    public static final class DatasetException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int line;

        DatasetException(String file, int line, String problem) {
            super(file + (line > 0 ? " line " + line : "") + ": " + problem);
            this.line = line;
        }

        /** The 1-based line the problem is on, or 0 when it is about the whole file. */
        public int line() {
            return line;
        }
    }

    private final String name;
    private final List<Entry> entries;
    private final List<Entry> loadOrder;
    private final Map<String, ClaimEntry> byKey;

    private DemoDataset(String name, List<Entry> entries, Map<String, ClaimEntry> byKey) {
        this.name = name;
        this.entries = Collections.unmodifiableList(entries);
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::recorded)); // stable: ties keep file order
        this.loadOrder = Collections.unmodifiableList(sorted);
        this.byKey = byKey;
    }

    /** The demo dataset shipped in this jar. */
    public static DemoDataset bundled() {
        InputStream in = DemoDataset.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new DatasetException(RESOURCE, 0, "not found on the class path; the stemedb jar is incomplete");
        }
        return read(in, RESOURCE);
    }

    /** Reads a dataset file. */
    public static DemoDataset read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new DatasetException(file.toString(), 0, "cannot be read: " + e);
        }
    }

    /** Reads a dataset from UTF-8 bytes; {@code name} is used in error messages. Closes the stream. */
    public static DemoDataset read(InputStream in, String name) {
        return read(new InputStreamReader(in, StandardCharsets.UTF_8), name);
    }

    /** Reads a dataset from text; {@code name} is used in error messages. Closes the reader. */
    public static DemoDataset read(Reader reader, String name) {
        List<Entry> entries = new ArrayList<>();
        Map<String, ClaimEntry> byKey = new HashMap<>();
        try (BufferedReader in = new BufferedReader(reader)) {
            int lineNo = 0;
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                lineNo++;
                if (text.isBlank()) {
                    continue;
                }
                Entry entry = new LineParser(name, lineNo).parse(text);
                if (entry instanceof ClaimEntry && ((ClaimEntry) entry).key() != null) {
                    ClaimEntry claim = (ClaimEntry) entry;
                    ClaimEntry earlier = byKey.putIfAbsent(claim.key(), claim);
                    if (earlier != null) {
                        throw new DatasetException(name, lineNo, "key \"" + claim.key() + "\" is already used on line "
                                + earlier.line() + "; keys must be unique in the file");
                    }
                }
                entries.add(entry);
            }
        } catch (IOException e) {
            throw new DatasetException(name, 0, "cannot be read: " + e);
        }
        if (entries.isEmpty()) {
            throw new DatasetException(name, 0, "holds no claims");
        }
        checkRetractions(name, entries, byKey);
        return new DemoDataset(name, entries, Map.copyOf(byKey));
    }

    private static void checkRetractions(String name, List<Entry> entries, Map<String, ClaimEntry> byKey) {
        for (Entry e : entries) {
            if (e instanceof RetractionEntry) {
                RetractionEntry r = (RetractionEntry) e;
                ClaimEntry target = byKey.get(r.retracts());
                if (target == null) {
                    throw new DatasetException(name, r.line(), "retracts \"" + r.retracts()
                            + "\", but no claim in the file has that key");
                }
                int order = target.recorded().compareTo(r.recorded());
                if (order > 0 || (order == 0 && target.line() > r.line())) {
                    throw new DatasetException(name, r.line(), "retracts \"" + r.retracts() + "\" (line " + target.line()
                            + ", recorded " + target.recorded() + "), which is recorded after this retraction ("
                            + r.recorded() + "); a claim must be recorded before it can be retracted");
                }
            }
        }
    }

    /** The name used in messages (the resource or file name). */
    public String name() {
        return name;
    }

    /** The entries in file order. */
    public List<Entry> entries() {
        return entries;
    }

    /** What the dataset holds. */
    public Summary summary() {
        int claims = 0;
        int retractions = 0;
        int validTime = 0;
        SortedSet<String> sources = new TreeSet<>();
        SortedSet<String> subjects = new TreeSet<>();
        SortedSet<String> predicates = new TreeSet<>();
        for (Entry e : entries) {
            sources.add(e.source());
            if (e instanceof ClaimEntry) {
                ClaimEntry c = (ClaimEntry) e;
                claims++;
                subjects.add(c.subject());
                predicates.add(c.predicate());
                if (c.hasValidTime()) {
                    validTime++;
                }
            } else {
                retractions++;
            }
        }
        return new Summary(claims, retractions, Collections.unmodifiableSortedSet(sources),
                Collections.unmodifiableSortedSet(subjects), Collections.unmodifiableSortedSet(predicates), validTime,
                loadOrder.get(0).recorded(), loadOrder.get(loadOrder.size() - 1).recorded());
    }

    /** Loads the dataset into a new in-memory database with node id {@link #NODE_ID}; see {@link #load(StemeDB)}. */
    public Loaded load() {
        return load(StemeDB.builder().nodeId(NODE_ID).inMemory());
    }

    /**
     * Merges the dataset into {@code db}. Each assertion is stamped with node {@link #NODE_ID} and
     * its line's {@code recorded} time (entries recorded in the same millisecond get increasing
     * logical counters, in recorded order), so its id is the same on every run and loading into a
     * database that already holds the dataset adds nothing: merge is a set union.
     *
     * @throws DatasetException naming the line, if the database refuses an entry
     */
    public Loaded load(StemeDB db) {
        Map<Integer, AssertionId> idsByLine = new LinkedHashMap<>();
        Map<String, AssertionId> idsByKey = new HashMap<>();
        Map<AssertionId, Integer> lineById = new HashMap<>();
        List<Assertion> assertions = new ArrayList<>();
        Entry current = null;
        long previousMillis = -1;
        int logical = 0;
        try {
            for (Entry e : loadOrder) {
                current = e;
                long millis = e.recorded().toEpochMilli();
                logical = millis == previousMillis ? logical + 1 : 0;
                previousMillis = millis;
                Hlc hlc = Hlc.of(millis, logical, NODE_ID);
                Assertion a;
                if (e instanceof ClaimEntry) {
                    ClaimEntry c = (ClaimEntry) e;
                    a = claimBuilder(c).hlc(hlc).build();
                    if (c.key() != null) {
                        idsByKey.put(c.key(), a.id());
                    }
                } else {
                    RetractionEntry r = (RetractionEntry) e;
                    a = Retraction.of(idsByKey.get(r.retracts()), r.source(), hlc, r.metadata());
                }
                assertions.add(a);
                idsByLine.put(e.line(), a.id());
                lineById.put(a.id(), e.line());
            }
            MergeResult merged = db.merge(assertions);
            if (!merged.rejected().isEmpty()) {
                MergeResult.Rejected first = merged.rejected().get(0);
                throw new DatasetException(name, lineById.get(first.id()), first.reason());
            }
        } catch (StemeException | IllegalArgumentException e) {
            db.close();
            throw new DatasetException(name, current.line(), e.getMessage());
        } catch (DatasetException e) {
            db.close();
            throw e;
        }
        Map<Integer, AssertionId> inFileOrder = new LinkedHashMap<>();
        entries.forEach(e -> inFileOrder.put(e.line(), idsByLine.get(e.line())));
        return new Loaded(db, Collections.unmodifiableMap(inFileOrder), Map.copyOf(idsByKey));
    }

    private static Claim.Builder claimBuilder(ClaimEntry e) {
        Claim.Builder b = Claim.builder(e.subject(), e.predicate(), e.value()).source(e.source())
                .validFrom(e.validFrom()).validTo(e.validTo()).metadata(e.metadata());
        if (e.confidence() != null) {
            b.confidence(e.confidence());
        }
        return b;
    }

    /** A database loaded with a dataset, and the ids its entries got. Closing it closes the database. */
    public static final class Loaded implements AutoCloseable {
        private final StemeDB db;
        private final Map<Integer, AssertionId> idsByLine;
        private final Map<String, AssertionId> idsByKey;

        Loaded(StemeDB db, Map<Integer, AssertionId> idsByLine, Map<String, AssertionId> idsByKey) {
            this.db = db;
            this.idsByLine = idsByLine;
            this.idsByKey = idsByKey;
        }

        public StemeDB db() {
            return db;
        }

        /** The id of each entry, by line number, in file order. */
        public Map<Integer, AssertionId> idsByLine() {
            return idsByLine;
        }

        /** The ids of the claims that have a key. */
        public Map<String, AssertionId> idsByKey() {
            return idsByKey;
        }

        @Override
        public void close() {
            db.close();
        }
    }

    /** Turns one line into an entry, or fails naming the line. */
    private static final class LineParser {
        private final String file;
        private final int line;

        LineParser(String file, int line) {
            this.file = file;
            this.line = line;
        }

        private DatasetException error(String problem) {
            return new DatasetException(file, line, problem);
        }

        Entry parse(String text) {
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                String where = e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
                throw error("not valid JSON" + where + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
            if (node == null || !node.isObject()) {
                throw error("expected a JSON object, one claim or retraction per line");
            }
            boolean retraction = node.has("retracts");
            Set<String> allowed = retraction ? RETRACTION_FIELDS : CLAIM_FIELDS;
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!allowed.contains(field)) {
                    throw error("unknown field \"" + field + "\" in a " + (retraction ? "retraction" : "claim")
                            + "; expected " + new TreeSet<>(allowed));
                }
            }
            Instant recorded = recorded(node);
            String source = requiredText(node, "source");
            Map<String, String> metadata = metadata(node);
            if (retraction) {
                return new RetractionEntry(line, recorded, source, requiredText(node, "retracts"), metadata);
            }
            String subject = requiredText(node, "subject");
            String predicate = requiredText(node, "predicate");
            Value value = value(node);
            Double confidence = null;
            if (node.has("confidence")) {
                JsonNode c = node.get("confidence");
                if (!c.isNumber()) {
                    throw error("\"confidence\" must be a number in [0, 1], got " + c);
                }
                confidence = c.doubleValue();
                if (!(confidence >= 0.0 && confidence <= 1.0)) {
                    throw error("\"confidence\" must be in [0, 1], got " + c);
                }
            }
            Instant validFrom = optionalTime(node, "validFrom");
            Instant validTo = optionalTime(node, "validTo");
            String key = node.has("key") ? requiredText(node, "key") : null;
            ClaimEntry entry = new ClaimEntry(line, key, recorded, source, subject, predicate, value, confidence,
                    validFrom, validTo, metadata);
            validate(entry);
            return entry;
        }

        /** Lets the model check every field now (names, sizes, interval), so errors carry the line. */
        private void validate(ClaimEntry e) {
            try {
                claimBuilder(e).hlc(Hlc.of(e.recorded().toEpochMilli(), 0, NODE_ID)).build();
            } catch (StemeException ex) {
                throw error(ex.getMessage());
            }
        }

        private Instant recorded(JsonNode node) {
            String text = requiredText(node, "recorded");
            Instant t;
            try {
                t = Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw error("\"recorded\" must be an ISO-8601 instant such as 2023-03-02T14:30:00Z, got \"" + text + "\"");
            }
            if (t.getNano() % 1_000_000 != 0) {
                throw error("\"recorded\" " + text + " is finer than a millisecond; HLC times are whole milliseconds");
            }
            if (t.isBefore(Instant.EPOCH)) {
                throw error("\"recorded\" " + text + " is before 1970; HLC times start at the epoch");
            }
            return t;
        }

        private String requiredText(JsonNode node, String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                throw error("\"" + field + "\" is missing");
            }
            if (!v.isTextual() || v.textValue().isEmpty()) {
                throw error("\"" + field + "\" must be a non-empty string, got " + v);
            }
            return v.textValue();
        }

        private Instant optionalTime(JsonNode node, String field) {
            if (!node.has(field) || node.get(field).isNull()) {
                return null;
            }
            return time(node.get(field), "\"" + field + "\"");
        }

        /** A date (midnight UTC) or an instant. */
        private Instant time(JsonNode v, String what) {
            if (v.isTextual()) {
                String text = v.textValue();
                try {
                    return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
                } catch (DateTimeParseException e) {
                    // fall through
                }
            }
            throw error(what + " must be a date (2023-04-01) or an ISO-8601 instant (2023-04-01T09:00:00Z), got " + v);
        }

        private Map<String, String> metadata(JsonNode node) {
            JsonNode m = node.get("metadata");
            if (m == null || m.isNull()) {
                return Map.of();
            }
            if (!m.isObject()) {
                throw error("\"metadata\" must be an object of strings, got " + m);
            }
            Map<String, String> result = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> f : m.properties()) {
                if (!f.getValue().isTextual()) {
                    throw error("metadata \"" + f.getKey() + "\" must be a string, got " + f.getValue());
                }
                result.put(f.getKey(), f.getValue().textValue());
            }
            return Collections.unmodifiableMap(result);
        }

        private Value value(JsonNode node) {
            try {
                return Json.typedValue(node);
            } catch (Json.InvalidJsonException e) {
                throw error(e.getMessage());
            }
        }
    }

    @Override
    public String toString() {
        Summary s = summary();
        return "DemoDataset[" + name + ": " + s.claims() + " claims, " + s.retractions() + " retractions]";
    }
}
