package io.stemedb.cli.commands;

import io.stemedb.ReadView;
import io.stemedb.StemeDB;
import io.stemedb.json.Json;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Claim;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb resolve}: what a lens says about one fact, and why. */
@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = {"Resolves SUBJECT's PREDICATE through a lens: which value wins among the claims, and why.",
            "Lens expressions (docs/cli.md; Lenses.parse in Java): latest, trust[hr > crm] or trust(hr, crm), "
                    + "trust[hr, others ignored] or trustOnly(hr), weighted[crm=1.0, hr=2.0] or weighted(hr=2, crm=1), "
                    + "majority, quorum(2), confident, all; composed with .orElse(LENS), .asOf(TIME), .validAt(TIME), "
                    + ".onlySources(a, b), .minConfidence(0.8), .withMetadata(key=value). Example: --lens 'trust(hr, "
                    + "crm).orElse(latest)'"},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE + " (also when no claim wins)", ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class ResolveCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "SUBJECT")
    String subject;

    @Parameters(index = "1", paramLabel = "PREDICATE")
    String predicate;

    @Mixin
    LensOptions reading;

    @Option(names = "--explain", description = "Show every claim: winners, overruled, set aside and retracted, and why.")
    boolean explain;

    @Override
    protected int execute() {
        try (StemeDB db = openForReading()) {
            ReadView view = reading.view(db);
            Resolution r = view.resolve(subject, predicate, reading.lens());
            if (json) {
                printJson(Json.resolution(r, reading.expression(), reading.asOf));
                return ExitCodes.OK;
            }
            out().println(Render.fit(subject + " " + predicate + " = " + (r.isEmpty() ? "(no value: " + Render.noValue(r) + ")"
                    : Render.values(r.values()))));
            out().println(Render.fit("lens: " + r.lens() + (reading.asOf == null ? "" : ", database as of " + reading.asOf)));
            if (!explain) {
                if (!r.isEmpty()) {
                    out().println();
                    Table t = new Table("VALUE", "SOURCE", "RECORDED", "CONFIDENCE", "VALID", "ID").shrinkFirst(0);
                    for (Claim c : r.winners()) {
                        t.row(c.value(), c.source(), Render.recorded(c), Render.confidence(c), Render.valid(c), Render.id(c));
                    }
                    t.print(out());
                }
                return ExitCodes.OK;
            }
            out().println();
            Table t = new Table("STATUS", "VALUE", "SOURCE", "RECORDED", "CONFIDENCE", "VALID", "ID").shrinkFirst(1);
            for (Claim c : r.winners()) {
                row(t, "winner", c);
            }
            for (Claim c : r.overruled()) {
                row(t, "overruled", c);
            }
            for (Resolution.SetAside s : r.setAside()) {
                row(t, "set aside", s.claim()); // the reason is in the explanation below
            }
            for (Claim c : r.retracted()) {
                row(t, Render.status(r.evidence(), c), c);
            }
            if (t.isEmpty()) {
                out().println("(no claims)");
            } else {
                t.print(out());
            }
            out().println();
            Render.wrap("why: " + r.explain(), Table.WIDTH, "     ").forEach(out()::println);
        }
        return ExitCodes.OK;
    }

    private static void row(Table t, String status, Claim c) {
        t.row(status, c.value(), c.source(), Render.recorded(c), Render.confidence(c), Render.valid(c), Render.id(c));
    }
}
