package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.SignatureReport;
import io.stemedb.StemeDB;
import io.stemedb.VerifyReport;
import picocli.CommandLine.Command;

/** {@code stemedb verify}: re-hashes and cross-checks everything stored. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks every assertion, index entry and table file of the database.",
            "Every assertion's bytes must hash to its id and decode, every index entry must match, and every "
                    + "table file's checksums must hold. Exits with 1 if anything is wrong.",
            "Then checks every stored signature (attestations and key registry entries) again and counts the claims "
                    + "they prove against the key registry as it is now."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE + ": nothing is wrong", ExitCodes.FAILURE_LINE + "; also: problems found",
            ExitCodes.USAGE_LINE})
public final class VerifyCommand extends DbCommand {
    @Override
    @SuppressWarnings("try") // the progress display only needs closing
    protected int execute() {
        VerifyReport report;
        SignatureReport signatures;
        try (StemeDB db = openForReading(); Progress progress = progress().ticking("verify")) {
            report = db.verify();
            signatures = db.verifySignatures();
        }
        if (json) {
            ObjectNode o = object();
            o.put("ok", report.ok());
            o.put("assertionsChecked", report.assertionsChecked());
            o.put("indexEntriesChecked", report.indexEntriesChecked());
            o.put("problemCount", report.problemCount());
            ArrayNode a = o.putArray("problems");
            report.problems().forEach(a::add);
            ObjectNode s = o.putObject("signatures");
            s.put("ok", signatures.ok());
            s.put("keyEntries", signatures.keyEntries());
            s.put("attestations", signatures.attestations());
            s.put("proving", signatures.proving());
            s.put("notProving", signatures.notProving());
            ArrayNode sp = s.putArray("problems");
            signatures.problems().forEach(sp::add);
            printJson(o);
        } else if (report.ok()) {
            out().printf("ok: checked %,d assertions and %,d index entries; no problem found%n",
                    report.assertionsChecked(), report.indexEntriesChecked());
        } else {
            out().printf("FAILED: %,d problems in %,d assertions and %,d index entries%n",
                    report.problemCount(), report.assertionsChecked(), report.indexEntriesChecked());
            report.problems().forEach(p -> out().println("  " + p));
            if (report.problemCount() > report.problems().size()) {
                out().printf("  ... and %,d more%n", report.problemCount() - report.problems().size());
            }
        }
        if (!json) {
            out().printf("signatures %s: %,d key registry entries, %,d attestations (%,d prove their claim, %,d prove nothing now)%n",
                    signatures.ok() ? "ok" : "FAILED", signatures.keyEntries(), signatures.attestations(), signatures.proving(),
                    signatures.notProving());
            signatures.problems().forEach(p -> out().println("  " + p));
            out().flush();
        }
        if (!signatures.ok()) {
            err().println(spec.qualifiedName() + ": " + signatures.problems().size() + " stored signatures do not verify; "
                    + "restore the database from a backup (stemedb restore) or re-import an export");
            err().flush();
            return ExitCodes.FAILURE;
        }
        if (!report.ok()) {
            err().println(spec.qualifiedName() + ": the database has " + report.problemCount()
                    + " problems; restore it from a backup (stemedb restore) or re-import an export");
            err().flush();
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }
}
