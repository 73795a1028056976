package io.stemedb.acceptance.upgrade;

import io.stemedb.Page;
import io.stemedb.StemeDB;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every answer a database gives, as lines of text: for every (subject, predicate), resolve under
 * latest, trust and majority with their explanations, and the history; each subject's entity;
 * the subjects read in pages of 3; every source's assertions; the whole change feed (sequence,
 * id); the counts; find for every claimed (predicate, value). Two databases holding the same
 * assertions, arrived in the same order, give the same lines.
 *
 * <p>Uses only the public API that format-1 StemeDB (main) has too: the format-1 fixture's
 * expected answers were written by this class compiled against main's jar (see
 * src/test/resources/format1/README.md), and the upgrade test compares them with what the
 * upgraded database answers.
 */
public final class AnswerDump {
    private AnswerDump() {}

    /** Writes every answer of {@code db} as lines. */
    public static List<String> of(StemeDB db) {
        List<String> out = new ArrayList<>();
        List<Change> feed = new ArrayList<>();
        long after = 0;
        while (true) {
            List<Change> page = db.changesSince(after, 7);
            if (page.isEmpty()) {
                break;
            }
            feed.addAll(page);
            after = page.get(page.size() - 1).sequence();
        }
        for (Change c : feed) {
            out.add("change " + c.sequence() + " " + c.assertion().id());
        }
        Map<String, Set<String>> facts = new TreeMap<>();
        Set<String> sources = new java.util.TreeSet<>();
        Map<String, Set<Value>> values = new TreeMap<>();
        for (Change c : feed) {
            Assertion a = c.assertion();
            sources.add(a.source());
            if (a instanceof Claim claim) {
                facts.computeIfAbsent(claim.subject(), s -> new java.util.TreeSet<>()).add(claim.predicate());
                values.computeIfAbsent(claim.predicate(), p -> new LinkedHashSet<>()).add(claim.value());
            }
        }
        List<String> sourceList = new ArrayList<>(sources);
        Lens[] lenses = {Lenses.latest(), Lenses.trust(sourceList.toArray(new String[0])), Lenses.majority()};
        for (Map.Entry<String, Set<String>> f : facts.entrySet()) {
            for (String predicate : f.getValue()) {
                String fact = f.getKey() + " / " + predicate;
                for (Lens lens : lenses) {
                    Resolution r = db.resolve(f.getKey(), predicate, lens);
                    out.add("resolve " + fact + " " + lens.name() + " = " + r.values() + " winners " + ids(r.winners())
                            + " overruled " + ids(r.overruled()) + " retracted " + ids(r.retracted()));
                    out.add("explain " + fact + " " + lens.name() + "\n" + r.explain());
                }
                Evidence h = db.history(f.getKey(), predicate);
                out.add("history " + fact + " claims " + ids(h.claims()) + " retractions " + ids(h.retractions()));
            }
            Map<String, Resolution> entity = db.entity(f.getKey(), Lenses.latest());
            List<String> entityLines = new ArrayList<>();
            entity.forEach((p, r) -> entityLines.add(p + "=" + r.values()));
            out.add("entity " + f.getKey() + " " + entityLines);
            out.add("conflicts " + f.getKey() + " " + db.conflicts(f.getKey()));
        }
        String afterSubject = null;
        while (true) {
            List<String> page = db.subjects(afterSubject, 3);
            if (page.isEmpty()) {
                break;
            }
            out.add("subjects page " + page);
            afterSubject = page.get(page.size() - 1);
        }
        Page<io.stemedb.Conflict> conflicts = db.conflicts(null, 1000);
        out.add("all conflicts " + conflicts.items().size() + " next " + conflicts.next());
        for (String source : sources) {
            out.add("bySource " + source + " " + ids(db.bySource(source)));
        }
        for (Map.Entry<String, Set<Value>> v : values.entrySet()) {
            for (Value value : v.getValue()) {
                out.add("find " + v.getKey() + " " + value + " " + db.find(v.getKey(), value, Lenses.latest()));
            }
        }
        io.stemedb.Stats s = db.stats();
        out.add("stats assertions " + s.assertions() + " claims " + s.claims() + " retractions " + s.retractions()
                + " lastSequence " + s.lastSequence() + " node " + s.nodeId());
        return out;
    }

    private static List<String> ids(List<? extends Assertion> assertions) {
        List<String> ids = new ArrayList<>();
        for (Assertion a : assertions) {
            ids.add(a.id().shortHex());
        }
        return ids;
    }
}
