package io.stemedb.cli.commands;

import io.stemedb.StemeDB;
import io.stemedb.cli.CliException;
import io.stemedb.json.Json;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Erasure;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stemedb erase}: deletes the content of claims (by id, or every claim about a subject,
 * a subject and predicate, or by a source about a subject) and prints the erasure's id.
 */
@Command(name = "erase", mixinStandardHelpOptions = true,
        description = {"Erases claims and prints the erasure's id.",
            "Unlike retract, erase deletes the content of the claims it covers: from this database now "
                    + "(table files and write-ahead logs included), and from every replica the erasure reaches "
                    + "by sync. Their ids stay known, marked erased, so their content is refused from any "
                    + "source afterwards. A scope other than --id covers the claims recorded before the "
                    + "erasure, even those that reach this replica later; claims made after it are kept. "
                    + "Backups and archives made earlier still hold the content: see stemedb backup "
                    + "--purge-erased and docs/operations.md."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class EraseCommand extends DbCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    /** Exactly one scope. */
    static final class Scope {
        @Option(names = "--id", paramLabel = "ID", converter = Converters.IdConverter.class,
                description = "A claim to erase (64 hex digits); repeat for several (at most 1024).")
        List<AssertionId> ids;

        @Option(names = "--subject", paramLabel = "SUBJECT", description = "Erase every claim about SUBJECT.")
        String subject;

        @Option(names = "--fact", paramLabel = "SUBJECT PREDICATE", arity = "2",
                description = "Erase every claim about SUBJECT's PREDICATE.")
        List<String> fact;

        @Option(names = "--by-source-about", paramLabel = "SOURCE SUBJECT", arity = "2",
                description = "Erase every claim by SOURCE about SUBJECT.")
        List<String> bySourceAbout;
    }

    @Option(names = "--source", required = true, paramLabel = "SOURCE", description = "Who erases (required).")
    String source;

    @Option(names = "--reason", required = true, paramLabel = "TEXT",
            description = "Why: the request the erasure answers, for example (required; at most 4096 bytes).")
    String reason;

    Erasure.Scope scope() {
        if (scope.ids != null) {
            return Erasure.Scope.ids(scope.ids);
        }
        if (scope.subject != null) {
            return Erasure.Scope.subject(scope.subject);
        }
        if (scope.fact != null) {
            return Erasure.Scope.fact(scope.fact.get(0), scope.fact.get(1));
        }
        if (scope.bySourceAbout != null) {
            return Erasure.Scope.bySourceAbout(scope.bySourceAbout.get(0), scope.bySourceAbout.get(1));
        }
        throw new CliException("give one of --id, --subject, --fact or --by-source-about");
    }

    @Override
    protected int execute() {
        Erasure.Scope what = scope();
        try (StemeDB db = openForWriting()) {
            AssertionId id = db.erase(what).source(source).reason(reason).commit();
            if (json) {
                printJson(Json.assertion(db.get(id).orElseThrow()));
            } else {
                out().println(id);
            }
        }
        return ExitCodes.OK;
    }
}
