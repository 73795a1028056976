package io.stemedb.cli;

import io.stemedb.Conflict;
import io.stemedb.StemeDB;
import io.stemedb.Stats;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stemedb demo}: merges the bundled dataset ({@value DemoDataset#RESOURCE}) into a
 * database on disk ({@code stemedb-data/demo} unless told otherwise) and prints a guided tour of StemeDB: the history of a few disputed facts,
 * their answers under several lenses with the lenses' own explanations, then conflicts, an entity
 * and a query. The output is deterministic (fixed node id and recorded times), plain text at most
 * {@link Screen#WIDTH} columns wide, with ANSI styles only when stdout is a terminal.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "A guided tour of StemeDB on sample data where sources disagree.",
            "",
            "Merges a bundled dataset of companies and people (claims from five sources, some",
            "of them retracted) into a database on disk, then shows the history of a few",
            "disputed facts, their answers under several lenses with the evidence for each,",
            "and the conflicts, entity and query views. Running it again adds nothing: the",
            "same claims have the same ids, and merging is a set union.",
        })
public final class DemoCommand implements Callable<Integer> {

    /** The trust ranking of the demo's trust lens, most trusted first. */
    static final List<String> TRUST_RANKING = List.of("registry", "hr", "crm", "news", "web-scraper");

    private static final Map<String, String> SOURCE_ROLES = Map.of(
            "registry", "official filings: slow, but high confidence",
            "hr", "the HR system: authoritative for people",
            "crm", "the sales team's notes: frequent, medium confidence",
            "news", "press articles: fast, low-ish confidence",
            "web-scraper", "scraped web pages: cheap, often wrong");

    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    // The lenses of the tour: all built into StemeDB (io.stemedb.lens.Lenses).
    private static final Lens LATEST = Lenses.latest();
    private static final Lens TRUST = Lenses.trust(TRUST_RANKING.toArray(String[]::new));
    private static final Lens CONFIDENT = Lenses.confident();
    private static final Lens MAJORITY = Lenses.majority();
    private static final Lens ALL = Lenses.all();

    /** The lenses every fact is read through, by their label in the answers table. */
    private static final Map<String, Lens> TOUR_LENSES = tourLenses();

    private static Map<String, Lens> tourLenses() {
        Map<String, Lens> lenses = new LinkedHashMap<>();
        lenses.put("latest", LATEST);
        lenses.put("trust", TRUST);
        lenses.put("confident", CONFIDENT);
        lenses.put("majority", MAJORITY);
        return lenses;
    }

    /** The facts the tour walks through, in order; their stories describe the bundled dataset. */
    private static final List<Fact> FACTS = List.of(
            new Fact("contoso", "ceo", "Who runs Contoso?",
                    "HR recorded Alice Martin as CEO in 2019. On 2023-03-02 the news announced that Bob Chen would "
                            + "take over on 2023-04-01; the next day a web scraper misread a page and named Carol Diaz, "
                            + "then withdrew it. HR closed Alice's term and recorded Bob; the registry filed in June.",
                    List.of(Reading.asOf("2023-03-20"), Reading.validAt("2023-03-20")),
                    "Today every lens answers Bob Chen. The two time axes differ, though: as of 2023-03-20 (what the "
                            + "database knew that day) the answer was already Bob, announced early by the news; valid at "
                            + "2023-03-20 (who held the job that day, by what we know now) it is Alice, and the claims about "
                            + "Bob are set aside: not valid yet that day.",
                    List.of("latest", "valid at 2023-03-20")),
            new Fact("fabrikam", "headquarters", "Where is Fabrikam headquartered?",
                    "The registry has said Boston since 2018. The sales team (crm) and the news reported a move to "
                            + "Austin in 2022-2023; in 2024 a web scraper read \"Denver\" off a job advert.",
                    List.of(Reading.lens("all", ALL)),
                    "Three different answers from the same four claims. Which one is right is a policy question, not "
                            + "a storage question: StemeDB keeps all four claims and lets each reader choose; the all "
                            + "lens shows the whole disagreement instead of a verdict.",
                    List.of("trust", "majority")),
            new Fact("northwind", "employees", "How many people work at Northwind?",
                    "The registry's figure is from the FY2021 annual report; HR counted the payroll in September "
                            + "2023; the news printed 14,000 by mistake, retracted it the next day and published 1,400; "
                            + "the sales team guesses 1,500.",
                    List.of(Reading.asOf("2023-10-13")),
                    "A trust ranking is only as fresh as the source it trusts: trust returns the registry's 2021 "
                            + "figure, confident HR's payroll count; with every source saying something different, "
                            + "majority's tie goes to the newest claim. The retracted 14,000 never wins again, but it stays "
                            + "in the history: as of 2023-10-13, before the retraction, it was the answer.",
                    List.of("confident", "as of 2023-10-13")),
            new Fact("tailspin-toys", "public", "Is Tailspin Toys a listed (public) company?",
                    "The registry filed Tailspin Toys as private in 2019. In September 2021 the news reported an "
                            + "IPO, then retracted the story in November when the IPO was called off. The sales team "
                            + "confirmed \"private\" in 2022.",
                    List.of(Reading.asOf("2021-10-01")),
                    "Nothing was deleted: the news claim is still in the history, marked retracted, and no lens may "
                            + "pick it. Read as of 2021-10-01, before the retraction, StemeDB answers true: exactly "
                            + "what a reader saw that day.",
                    List.of("latest", "as of 2021-10-01")));

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "stemedb-data/demo",
            description = "The database directory, created if missing (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--in-memory", description = "Use a database in memory instead: nothing is written to disk.")
    boolean inMemory;

    @Override
    public Integer call() {
        DemoDataset data = DemoDataset.bundled();
        PrintWriter out = spec.commandLine().getOut();
        StemeDB db = inMemory
                ? StemeDB.builder().nodeId(DemoDataset.NODE_ID).inMemory()
                : StemeDB.builder().nodeId(DemoDataset.NODE_ID).open(dataDir);
        String where = inMemory ? "an in-memory database" : "the database at " + dataDir;
        try (DemoDataset.Loaded loaded = data.load(db)) {
            new Tour(loaded.db(), data, where, new Screen(out, colorScreen())).print();
        } finally {
            out.flush();
        }
        return 0;
    }

    /** ANSI styles only on an interactive terminal, and never when NO_COLOR is set (no-color.org). */
    private static boolean colorScreen() {
        String noColor = System.getenv("NO_COLOR");
        String term = System.getenv("TERM");
        return System.console() != null && (noColor == null || noColor.isEmpty()) && !"dumb".equals(term);
    }

    /** One disputed (subject, predicate), told as a short story. */
    private record Fact(String subject, String predicate, String question, String story, List<Reading> extra,
            String takeaway, List<String> explained) {}

    /** One way of reading a fact: a label and how to resolve it. */
    private record Reading(String label, BiFunction<StemeDB, Fact, Resolution> how) {

        static Reading lens(String label, Lens lens) {
            return new Reading(label, (db, f) -> db.resolve(f.subject(), f.predicate(), lens));
        }

        /**
         * The database as it was at the start of {@code day} (UTC), read with latest: record time.
         * {@code db.asOf(t).resolve(s, p, LATEST)} answers the same; the composed lens names the
         * instant in its explanation.
         */
        static Reading asOf(String day) {
            return lens("as of " + day, LATEST.asOf(startOf(day)));
        }

        /** Only the claims valid at the start of {@code day} (UTC), read with latest: valid time. */
        static Reading validAt(String day) {
            return lens("valid at " + day, LATEST.validAt(startOf(day)));
        }

        private static Instant startOf(String day) {
            return LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        Resolution resolve(StemeDB db, Fact fact) {
            return how.apply(db, fact);
        }
    }

    /** Prints the tour of one loaded database. */
    private static final class Tour {
        private final StemeDB db;
        private final DemoDataset data;
        private final String where;
        private final Screen screen;

        Tour(StemeDB db, DemoDataset data, String where, Screen screen) {
            this.db = db;
            this.data = data;
            this.where = where;
            this.screen = screen;
        }

        void print() {
            intro();
            for (int i = 0; i < FACTS.size(); i++) {
                fact(i + 1, FACTS.get(i));
            }
            conflicts("fabrikam");
            entity("fabrikam");
            find("headquarters", Value.text("Austin"), "Which companies are headquartered in Austin?");
            outro();
        }

        private void intro() {
            screen.banner("StemeDB demo", "stemedb " + Main.version());
            screen.paragraph("", "StemeDB is an embedded database of claims. A claim records that a source (a system, a "
                    + "feed, a person) says that a subject's predicate has a value, when it said so, and how sure it "
                    + "was. Claims are never overwritten or deleted: a correction is a new claim, and a mistake is "
                    + "withdrawn by a retraction, which is recorded too. What is true is decided when you read, by a "
                    + "lens you choose, and every answer comes with its evidence: the claims that won, the ones they "
                    + "overruled and the ones that were retracted.");
            screen.blank();

            Stats stats = db.stats();
            DemoDataset.Summary summary = data.summary();
            screen.paragraph("", String.format(Locale.ROOT, "Loaded %s into %s: %d claims and %d "
                    + "retractions from %d sources, about %d subjects (companies and people), recorded %s .. %s. "
                    + "Each assertion is identified by the BLAKE3 hash of its content (the 8-hex-digit ids below): "
                    + "the same data gets the same ids on every machine. Values are typed: text in quotes, "
                    + "numbers, booleans, dates, and references to other subjects, written ->subject.",
                    data.name(), where, stats.claims(), stats.retractions(), summary.sources().size(),
                    summary.subjects().size(), DAY.format(summary.firstRecorded()), DAY.format(summary.lastRecorded())));
            screen.blank();

            Screen.Table sources = screen.table("  ", "source", "claims", "retractions", "what it is");
            for (String source : orderedSources(summary.sources())) {
                List<Assertion> made = db.bySource(source);
                long retractions = made.stream().filter(a -> a instanceof Retraction).count();
                sources.row(source, String.valueOf(made.size() - retractions), String.valueOf(retractions),
                        SOURCE_ROLES.getOrDefault(source, ""));
            }
            sources.print();
            screen.blank();

            screen.line("Lenses: ways of reading the same claims");
            Screen.Table lenses = screen.table("  ", "lens", "in Java", "the answer is");
            lenses.row("latest", "Lenses.latest()", "the most recently recorded claim");
            lenses.row("trust", "Lenses.trust(...)", "the newest claim of the most trusted source (ranking below)");
            lenses.row("confident", "Lenses.confident()", "the claim with the highest confidence");
            lenses.row("majority", "Lenses.majority()", "the value most sources claim, one vote each; a tie: the newest");
            lenses.row("all", "Lenses.all()", "every source's newest claim: the disagreement itself");
            lenses.row("as of T", "latest.asOf(T)", "what latest answered at T (record time): what we knew then");
            lenses.row("valid at T", "latest.validAt(T)", "the latest claim valid at T (valid time): what was true then");
            lenses.print();
            screen.paragraph("", "Trust ranking, most trusted first: " + String.join(" > ", TRUST_RANKING) + ". "
                    + "A retracted claim never wins, whatever the lens. Every lens here is built into StemeDB "
                    + "(io.stemedb.lens.Lenses), and so are weighted sources, quorums and filters by source, "
                    + "confidence or metadata. Lenses compose, as in trust(...).orElse(majority()); db.asOf(T) reads "
                    + "the whole database as of T; and any Evidence -> Resolution function is a lens too. All times "
                    + "are UTC.");
            screen.blank();
        }

        private List<String> orderedSources(SortedSet<String> sources) {
            List<String> ordered = new ArrayList<>();
            TRUST_RANKING.stream().filter(sources::contains).forEach(ordered::add);
            sources.stream().filter(s -> !ordered.contains(s)).forEach(ordered::add);
            return ordered;
        }

        private void fact(int number, Fact fact) {
            screen.section(number + "/" + FACTS.size() + "  " + fact.question(), fact.subject() + "." + fact.predicate());
            screen.paragraph("", fact.story());
            screen.blank();

            Evidence history = db.history(fact.subject(), fact.predicate());
            screen.line("History: every claim ever recorded about " + fact.subject() + "." + fact.predicate()
                    + ", oldest first (db.history)");
            Screen.Table claims = screen.table("  ", "recorded", "source", "value", "conf", "valid time", "id");
            for (Claim c : history.claims()) {
                boolean retracted = history.isRetracted(c.id());
                claims.row(retracted ? Screen.Style.DIM : Screen.Style.PLAIN, MINUTES.format(c.hlc().instant()),
                        c.source(), value(c.value()), confidence(c), validTime(c), c.id().shortHex());
                for (Retraction r : history.retractionsOf(c.id())) {
                    String reason = r.metadata().get("reason");
                    claims.note("^ retracted " + MINUTES.format(r.hlc().instant()) + " by " + r.source()
                            + (reason == null ? "" : ": " + reason));
                }
            }
            claims.print();
            screen.blank();

            List<Reading> readings = new ArrayList<>();
            TOUR_LENSES.forEach((label, lens) -> readings.add(Reading.lens(label, lens)));
            readings.addAll(fact.extra());
            Map<String, Resolution> explained = new LinkedHashMap<>();
            screen.line("Answers: the same claims read through different lenses (db.resolve)");
            Screen.Table answers = screen.table("  ", "lens", "answer", "won by");
            for (Reading reading : readings) {
                Resolution r = reading.resolve(db, fact);
                if (fact.explained().contains(reading.label())) {
                    explained.put(reading.label(), r);
                }
                answers.row(reading.label(), answer(r), wonBy(r));
            }
            answers.print();
            screen.paragraph("=> ", "   ", fact.takeaway(), Screen.Style.BOLD);
            screen.blank();

            screen.line("Why? Each answer's evidence, from Resolution.explain(), for "
                    + explained.keySet().stream().map(l -> "\"" + l + "\"").collect(Collectors.joining(" and ")) + ":");
            for (Resolution r : explained.values()) {
                explain(r);
            }
            screen.blank();
        }

        /** explain() output, one part (winners, overruled, set aside, retracted) per paragraph. */
        private void explain(Resolution r) {
            String text = r.explain().replace("; overruled: ", "\noverruled: ").replace("; set aside (", "\nset aside (")
                    .replace("; retracted: ", "\nretracted: ");
            boolean first = true;
            for (String part : text.split("\n")) {
                screen.paragraph(first ? "  " : "    ", "        ", part.strip(), Screen.Style.PLAIN);
                first = false;
            }
        }

        private void conflicts(String subject) {
            screen.section("Where the sources disagree about " + subject, "db.conflicts(\"" + subject + "\")");
            Screen.Table table = screen.table("  ", "predicate", "value", "claimed by");
            for (Conflict c : db.conflicts(subject)) {
                boolean first = true;
                for (Value v : c.values()) {
                    String by = c.claims().stream().filter(cl -> cl.value().equals(v))
                            .map(cl -> cl.source() + " (" + DAY.format(cl.hlc().instant()) + ")")
                            .collect(Collectors.joining(", "));
                    table.row(first ? c.predicate() : "", value(v), by);
                    first = false;
                }
            }
            table.print();
            screen.paragraph("", "A conflict is not an error to fix before writing: StemeDB stores every side of it, "
                    + "and each reader's lens settles it at read time.");
            screen.blank();
        }

        private void entity(String subject) {
            screen.section("Everything about " + subject + ", through two lenses",
                    "db.entity(\"" + subject + "\", lens)");
            SortedMap<String, Resolution> trusted = db.entity(subject, TRUST);
            SortedMap<String, Resolution> latest = db.entity(subject, LATEST);
            SortedSet<String> predicates = new TreeSet<>(trusted.keySet());
            predicates.addAll(latest.keySet());
            Screen.Table table = screen.table("  ", "predicate", "trust", "latest", "");
            int differ = 0;
            for (String p : predicates) {
                Resolution t = trusted.get(p);
                Resolution l = latest.get(p);
                boolean same = t != null && l != null && t.values().equals(l.values());
                differ += same ? 0 : 1;
                table.row(same ? Screen.Style.PLAIN : Screen.Style.BOLD, p, answerWithSource(t), answerWithSource(l),
                        same ? "" : "<- differ");
            }
            table.print();
            screen.paragraph("", "The same entity, two readers: " + differ + " of its " + predicates.size()
                    + " attributes depend on whom you trust.");
            screen.blank();
        }

        private void find(String predicate, Value value, String question) {
            screen.section(question, "db.find(\"" + predicate + "\", " + value + ", lens)");
            Screen.Table table = screen.table("  ", "lens", "companies");
            for (String label : List.of("latest", "trust", "majority")) {
                List<String> found = db.find(predicate, value, TOUR_LENSES.get(label));
                table.row(label, found.isEmpty() ? "(none)" : String.join(", ", found));
            }
            table.print();
            screen.paragraph("", "The index finds every subject ever claimed to have " + predicate + " " + value
                    + "; the lens then decides which of them still do. A query's answer depends on the lens, "
                    + "like everything else.");
            screen.blank();
        }

        private void outro() {
            screen.line("-".repeat(Screen.WIDTH));
            screen.line("The same from Java (one dependency, io.stemedb:stemedb-core):");
            screen.line("  try (StemeDB db = StemeDB.open(Path.of(\"data\"))) {");
            screen.line("      db.assertion(\"fabrikam\", \"headquarters\", Value.text(\"Austin\")).source(\"crm\").commit();");
            screen.line("      Lens lens = Lenses.trust(\"registry\", \"hr\").orElse(Lenses.majority());");
            screen.line("      System.out.println(db.resolve(\"fabrikam\", \"headquarters\", lens).explain());");
            screen.line("  }");
            screen.paragraph("", "The demo data is " + data.name() + " inside the jar: one JSON object per line, "
                    + "each a claim or a retraction with its recorded time.");
        }
    }

    // ---- formatting ----

    private static String answer(Resolution r) {
        if (r.isEmpty()) {
            return "(no answer)";
        }
        return r.values().stream().map(DemoCommand::value).collect(Collectors.joining(", "));
    }

    private static String wonBy(Resolution r) {
        List<Claim> winners = r.winners();
        if (winners.isEmpty()) {
            return "";
        }
        if (winners.size() == 1) {
            Claim w = winners.get(0);
            return w.source() + ", " + DAY.format(w.hlc().instant()) + " (" + w.id().shortHex() + ")";
        }
        SortedSet<String> sources = new TreeSet<>();
        winners.forEach(w -> sources.add(w.source()));
        return sources.size() + " sources: " + String.join(", ", sources);
    }

    private static String answerWithSource(Resolution r) {
        if (r == null || r.isEmpty()) {
            return "-";
        }
        SortedSet<String> sources = new TreeSet<>();
        r.winners().forEach(w -> sources.add(w.source()));
        return answer(r) + " (" + String.join(", ", sources) + ")";
    }

    /** A value as in explanations, but instants at midnight as plain dates. */
    static String value(Value v) {
        if (v.type() == Value.Type.INSTANT) {
            Instant t = v.asInstant();
            return t.atOffset(ZoneOffset.UTC).toLocalTime().equals(LocalTime.MIDNIGHT) ? DAY.format(t) : t.toString();
        }
        return v.toString();
    }

    private static String confidence(Claim c) {
        return c.confidence().isPresent() ? String.format(Locale.ROOT, "%.2f", c.confidence().getAsDouble()) : "-";
    }

    private static String validTime(Claim c) {
        if (c.validFrom().isEmpty() && c.validTo().isEmpty()) {
            return "";
        }
        if (c.validTo().isEmpty()) {
            return "from " + day(c.validFrom().get());
        }
        if (c.validFrom().isEmpty()) {
            return "until " + day(c.validTo().get());
        }
        return day(c.validFrom().get()) + " to " + day(c.validTo().get());
    }

    private static String day(Instant t) {
        return t.atOffset(ZoneOffset.UTC).toLocalTime().equals(LocalTime.MIDNIGHT) ? DAY.format(t) : MINUTES.format(t);
    }
}
