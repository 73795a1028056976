package io.stemedb.cli.commands;

import io.stemedb.StemeDB;
import io.stemedb.VerifyReport;
import picocli.CommandLine.Command;

/**
 * {@code stemedb salvage}: opens a database whose write-ahead log is damaged, keeping what
 * precedes the damage, says what it dropped, and verifies what is left.
 */
@Command(name = "salvage", mixinStandardHelpOptions = true,
        description = {"Opens a database whose write-ahead log is damaged, keeping every commit before the damage "
                + "and dropping every one after it, then verifies it.",
            "Only when no backup holds the commits after the damage: the loss is permanent. Without damage it "
                    + "changes nothing."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE + ": opened (salvaged or not) and verified", ExitCodes.FAILURE_LINE
                + "; also: verify found problems", ExitCodes.USAGE_LINE})
public final class SalvageCommand extends DbCommand {
    @Override
    protected int execute() {
        requireDatabase();
        String salvaged;
        VerifyReport report;
        try (StemeDB db = StemeDB.builder().salvageDamagedLog().open(dataDir)) {
            salvaged = db.stats().engineProperties().get("salvaged-log");
            report = db.verify();
        }
        out().println(salvaged == null ? "the write-ahead log was sound: nothing dropped" : "salvaged: " + salvaged);
        out().printf("verify: %s (%,d assertions, %,d problems)%n", report.ok() ? "ok" : "FAILED", report.assertionsChecked(),
                report.problemCount());
        report.problems().forEach(p -> out().println("  " + p));
        out().flush();
        return report.ok() ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
