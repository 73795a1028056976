package io.stemedb.cli.commands;

import io.stemedb.StemeDB;
import io.stemedb.cli.CliException;
import io.stemedb.crdt.ErasedClaim;
import io.stemedb.crdt.Evidence;
import io.stemedb.json.Json;
import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Claim;
import io.stemedb.model.Erasure;
import io.stemedb.model.Retraction;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stemedb get}: one assertion by id, with its retractions. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Shows the assertion (claim or retraction) with this id, and whether a claim is retracted.",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE + " (also: no assertion with that id)", ExitCodes.USAGE_LINE})
public final class GetCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "ID", converter = Converters.IdConverter.class,
            description = "The assertion's id (64 hex digits).")
    AssertionId id;

    @Override
    protected int execute() {
        try (StemeDB db = openForReading()) {
            Optional<Erasure> erasedBy = db.get(id).isPresent() ? Optional.empty() : db.erasedBy(id);
            if (erasedBy.isPresent()) {
                ErasedClaim erased = new ErasedClaim(id, erasedBy.get());
                if (json) {
                    printJson(Json.erased(erased));
                } else {
                    out().println(erased.describe() + "; its content is not stored here");
                }
                return ExitCodes.OK;
            }
            Assertion a = db.get(id).orElseThrow(() -> new CliException("there is no assertion with id " + id + " in "
                    + dataDir + "; check the id (list a fact's claims with: stemedb history SUBJECT PREDICATE)"));
            List<Retraction> retractions = List.of();
            Evidence evidence = null;
            if (a instanceof Claim) {
                Claim c = (Claim) a;
                evidence = db.history(c.subject(), c.predicate());
                retractions = evidence.retractionsOf(c.id());
            }
            if (json) {
                printJson(Json.assertionWithRetractions(a, retractions));
                return ExitCodes.OK;
            }
            Table t = Table.keyValues().row("id", a.id());
            if (a instanceof Claim) {
                Claim c = (Claim) a;
                t.row("kind", "claim").row("subject", c.subject()).row("predicate", c.predicate())
                        .row("value", c.value() + " (" + Json.typeName(c.value().type()) + ")")
                        .row("source", c.source()).row("recorded", Render.recorded(c)).row("hlc", c.hlc());
                if (c.confidence().isPresent()) {
                    t.row("confidence", Render.confidence(c));
                }
                if (!Render.valid(c).isEmpty()) {
                    t.row("valid", Render.valid(c));
                }
                metadataRows(t, a);
                t.row("status", Render.status(evidence, c));
                for (Retraction r : retractions) {
                    t.row("retraction", r.id());
                }
            } else if (a instanceof Erasure e) {
                t.row("kind", "erasure").row("erases", e.scope()).row("reason", e.reason()).row("source", e.source())
                        .row("recorded", Render.recorded(e)).row("hlc", e.hlc());
                metadataRows(t, a);
            } else {
                Retraction r = (Retraction) a;
                t.row("kind", "retraction").row("retracts", r.target()).row("source", r.source())
                        .row("recorded", Render.recorded(r)).row("hlc", r.hlc());
                metadataRows(t, a);
            }
            t.print(out());
        }
        return ExitCodes.OK;
    }

    private static void metadataRows(Table t, Assertion a) {
        a.metadata().forEach((k, v) -> t.row("meta " + k, v));
    }
}
