package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.model.Assertion;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/**
 * {@code stemedb sources}: every source with its counts. The library has no listing of sources,
 * so this reads the whole change feed once.
 */
@Command(name = "sources", mixinStandardHelpOptions = true,
        description = {"Lists every source, with its counts of claims and retractions.",
            "Also when each source first and last recorded something. Reads the whole database."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class SourcesCommand extends DbCommand {
    private static final int PAGE = 4096;

    /** What one source has said. */
    private static final class Tally {
        long claims;
        long retractions;
        Hlc first;
        Hlc last;

        void add(Assertion a) {
            if (a instanceof Claim) {
                claims++;
            } else {
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

    @Override
    protected int execute() {
        Map<String, Tally> sources = new TreeMap<>();
        try (StemeDB db = openForReading(); Progress progress = progress()) {
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
        }
        if (json) {
            ObjectNode o = object();
            ArrayNode a = o.putArray("sources");
            sources.forEach((name, t) -> {
                ObjectNode x = a.addObject();
                x.put("source", name);
                x.put("claims", t.claims);
                x.put("retractions", t.retractions);
                x.put("first", t.first.instant().toString());
                x.put("last", t.last.instant().toString());
            });
            printJson(o);
            return ExitCodes.OK;
        }
        if (sources.isEmpty()) {
            out().println("no sources: the database is empty");
            return ExitCodes.OK;
        }
        Table t = new Table("SOURCE", "CLAIMS", "RETRACTIONS", "FIRST", "LAST");
        sources.forEach((name, x) -> t.row(name, x.claims, x.retractions, x.first.instant(), x.last.instant()));
        t.print(out());
        return ExitCodes.OK;
    }
}
