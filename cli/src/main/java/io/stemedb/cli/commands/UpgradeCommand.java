package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.cli.CliException;
import io.stemedb.UpgradeReport;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stemedb upgrade DIR}: rewrites a database of an older storage format into the current one. */
@Command(name = "upgrade", mixinStandardHelpOptions = true,
        description = {"Rewrites the database in DIR (default: --data-dir), written by a StemeDB of storage format 1, "
                + "into the current storage format. Close the database everywhere first.",
            "Every assertion is rewritten in its original order into DIR.upgrading beside it, with the same node id "
                    + "and sequence numbers, and verified. Only then does the new database take DIR's place; the old "
                    + "one is kept, unchanged, as DIR.format1-<time> (delete it once satisfied). If the upgrade fails, "
                    + "DIR is as it was."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE + "; DIR is left as it was", ExitCodes.USAGE_LINE})
public final class UpgradeCommand extends DbCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The database directory (default: --data-dir).")
    Path directory;

    @Override
    protected int execute() {
        Path dir = directory != null ? directory : dataDir;
        if (!Files.isDirectory(dir)) {
            throw new CliException("there is no database at " + dir);
        }
        UpgradeReport report;
        try (Progress progress = progress()) {
            report = StemeDB.upgrade(dir, progress);
        }
        if (json) {
            ObjectNode o = object();
            o.put("directory", dir.toString());
            o.put("assertions", report.assertions());
            o.put("format1Directory", report.format1Directory().toString());
            o.put("seconds", report.took().toMillis() / 1000.0);
            printJson(o);
        } else {
            out().printf("upgraded %s: %,d assertions rewritten and verified in %.1f s%n", dir, report.assertions(),
                    report.took().toMillis() / 1000.0);
            out().printf("the format-1 database is kept, unchanged, at %s; delete it once you are satisfied%n",
                    report.format1Directory());
            out().flush();
        }
        return ExitCodes.OK;
    }
}
