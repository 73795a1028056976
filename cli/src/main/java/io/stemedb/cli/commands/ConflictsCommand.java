package io.stemedb.cli.commands;

import io.stemedb.Conflict;
import io.stemedb.Page;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb conflicts}: the facts whose live claims disagree. */
@Command(name = "conflicts", mixinStandardHelpOptions = true,
        description = {"Lists the facts whose live claims disagree on the value.",
            "Those of SUBJECT, or of the whole database a page at a time (continue with --after, as the output says)."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class ConflictsCommand extends DbCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SUBJECT", description = "Only this subject's conflicts.")
    String subject;

    @Option(names = "--limit", paramLabel = "N", description = "Without SUBJECT: about N conflicts a page (default: ${DEFAULT-VALUE}).",
            defaultValue = "50")
    int limit;

    @Option(names = "--after", paramLabel = "CURSOR", description = "Without SUBJECT: continue after this cursor, from the previous page.")
    String after;

    @Override
    protected int execute() {
        if (subject != null && (after != null || spec.commandLine().getParseResult().hasMatchedOption("--limit"))) {
            throw usage("--after and --limit page through the whole database; leave them out when you give a SUBJECT");
        }
        if (limit < 1) {
            throw usage("--limit must be at least 1, got " + limit);
        }
        try (StemeDB db = openForReading()) {
            List<Conflict> conflicts;
            String next = null;
            if (subject != null) {
                conflicts = db.conflicts(subject);
            } else {
                Page<Conflict> page = db.conflicts(after, limit);
                conflicts = page.items();
                next = page.next();
            }
            if (json) {
                printJson(subject != null ? Json.conflicts(subject, conflicts) : Json.conflicts(new Page<>(conflicts, next)));
                return ExitCodes.OK;
            }
            if (conflicts.isEmpty()) {
                out().println(subject == null ? "no conflicts" : "no conflicts about " + subject);
            } else {
                Table t = new Table("SUBJECT", "PREDICATE", "VALUE", "SOURCES").shrinkFirst(2);
                for (Conflict c : conflicts) {
                    String s = c.subject();
                    String p = c.predicate();
                    for (Value v : c.values()) {
                        String sources = c.claims().stream().filter(x -> x.value().equals(v)).map(Claim::source)
                                .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining(", "));
                        t.row(s, p, v, sources);
                        s = "";
                        p = "";
                    }
                }
                t.print(out());
            }
            if (next != null) {
                out().println();
                out().println("more: stemedb conflicts --after '" + next.replace("'", "'\\''") + "'"
                        + (limit != 50 ? " --limit " + limit : ""));
            }
        }
        return ExitCodes.OK;
    }
}
