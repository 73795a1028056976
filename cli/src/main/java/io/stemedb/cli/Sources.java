package io.stemedb.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.backup.ProgressListener;
import io.stemedb.json.Json;
import io.stemedb.model.Assertion;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every source of a database with its counts, for {@code stemedb sources} and {@code GET
 * /v1/sources}. The library has no listing of sources, so this reads the whole change feed once.
 * Stateless.
 */
public final class Sources {
    private static final int PAGE = 4096;

    private Sources() {}

    /** What one source has said, and when it first and last recorded something. */
    public record Source(String name, long claims, long retractions, Hlc first, Hlc last) {}

    private static final class Tally {
        long claims;
        long retractions;
        Hlc first;
        Hlc last;

        void add(Assertion a) {
            if (a instanceof Claim) {
                claims++;
            } else if (a instanceof Retraction) {
                retractions++;
            }
            if (first == null || a.hlc().compareTo(first) < 0) {
                first = a.hlc();
            }
            if (last == null || a.hlc().compareTo(last) > 0) {
                last = a.hlc();
            }
        }
    }

    /** The sources of {@code db}, by name. */
    public static List<Source> of(StemeDB db, ProgressListener progress) {
        Map<String, Tally> sources = new TreeMap<>();
        long total = db.stats().lastSequence();
        long after = 0;
        while (true) {
            List<Change> page = db.changesSince(after, PAGE);
            if (page.isEmpty()) {
                break;
            }
            for (Change c : page) {
                sources.computeIfAbsent(c.assertion().source(), s -> new Tally()).add(c.assertion());
                after = c.sequence();
            }
            progress.progress("reading", after, total);
        }
        List<Source> out = new ArrayList<>(sources.size());
        sources.forEach((name, t) -> out.add(new Source(name, t.claims, t.retractions, t.first, t.last)));
        return out;
    }

    /** {@code {"sources": [{"source", "claims", "retractions", "first", "last"}]}}. */
    public static ObjectNode json(List<Source> sources) {
        ObjectNode o = Json.object();
        ArrayNode a = o.putArray("sources");
        for (Source s : sources) {
            ObjectNode x = a.addObject();
            x.put("source", s.name());
            x.put("claims", s.claims());
            x.put("retractions", s.retractions());
            x.put("first", s.first().instant().toString());
            x.put("last", s.last().instant().toString());
        }
        return o;
    }
}
