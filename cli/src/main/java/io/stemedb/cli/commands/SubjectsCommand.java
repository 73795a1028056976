package io.stemedb.cli.commands;

import io.stemedb.Page;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stemedb subjects}: the subjects of the database, a page at a time. */
@Command(name = "subjects", mixinStandardHelpOptions = true,
        description = {"Lists the subjects that have claims, a page at a time.",
            "In storage order (shorter names first, then by UTF-8 bytes); continue with --after, as the output says."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class SubjectsCommand extends DbCommand {
    @Option(names = "--after", paramLabel = "SUBJECT", description = "Start after this subject (the last of the previous page).")
    String after;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N subjects (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    protected int execute() {
        if (limit < 1) {
            throw usage("--limit must be at least 1, got " + limit);
        }
        try (StemeDB db = openForReading()) {
            List<String> subjects = db.subjects(after, limit == Integer.MAX_VALUE ? limit : limit + 1);
            String next = null;
            if (subjects.size() > limit) {
                subjects = subjects.subList(0, limit);
                next = subjects.get(limit - 1);
            }
            if (json) {
                printJson(Json.subjects(new Page<>(subjects, next)));
                return ExitCodes.OK;
            }
            if (subjects.isEmpty()) {
                out().println(after == null ? "no subjects" : "no subjects after " + after);
            } else {
                Table t = new Table("SUBJECT");
                subjects.forEach(t::row);
                t.print(out());
            }
            if (next != null) {
                out().println();
                out().println("more: stemedb subjects --after '" + next.replace("'", "'\\''") + "'"
                        + (limit != 100 ? " --limit " + limit : ""));
            }
        }
        return ExitCodes.OK;
    }
}
