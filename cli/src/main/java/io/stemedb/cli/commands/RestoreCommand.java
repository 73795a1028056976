package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.StemeDB;
import io.stemedb.Stats;
import io.stemedb.cli.CliException;
import io.stemedb.model.Hlc;
import io.stemedb.BackupInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb restore}: a backup into a new database directory. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restores a backup into a new database directory.",
            "The newest backup in BACKUP_DIR, or --backup-id, goes into TARGET_DIR, which must be new or "
                    + "empty: restore never overwrites a database. Then use it with --data-dir TARGET_DIR.",
            "The restored database keeps the node id of the one backed up: use it to replace that replica, "
                    + "not to run beside it."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class RestoreCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "BACKUP_DIR", description = "The backup directory.")
    Path backupDir;

    @Parameters(index = "1", paramLabel = "TARGET_DIR", description = "Where to restore: a new or empty directory.")
    Path targetDir;

    @Option(names = "--backup-id", paramLabel = "N", description = "The backup to restore (default: the newest).")
    Integer backupId;

    @Override
    @SuppressWarnings("try") // the progress display only needs closing
    protected int execute() {
        if (!Files.isDirectory(backupDir)) {
            throw new CliException("there is no backup directory at " + backupDir);
        }
        BackupInfo info;
        try (Progress progress = progress().ticking("restore")) {
            info = StemeDB.restoreBackup(backupDir, backupId, targetDir);
        }
        Stats stats;
        try (StemeDB db = StemeDB.builder().openReadOnly(targetDir)) {
            stats = db.stats();
        }
        if (json) {
            ObjectNode o = object();
            o.put("backupDir", backupDir.toString());
            o.put("targetDir", targetDir.toString());
            o.set("backup", BackupCommand.json(info));
            o.put("assertions", stats.assertions());
            o.put("nodeId", Hlc.nodeHex(stats.nodeId()));
            printJson(o);
        } else {
            out().printf("restored backup %d (%s) from %s into %s: %,d assertions, node id %s%n", info.id(),
                    info.createdAt(), backupDir, targetDir, stats.assertions(), Hlc.nodeHex(stats.nodeId()));
            out().flush();
        }
        return ExitCodes.OK;
    }
}
