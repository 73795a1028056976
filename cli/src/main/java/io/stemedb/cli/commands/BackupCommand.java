package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.ErasedBackups;
import io.stemedb.StemeDB;
import io.stemedb.BackupInfo;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stemedb backup}: an online, incremental native backup. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Backs the database up into BACKUP_DIR (online, incremental).",
            "BACKUP_DIR is created if missing. Files unchanged since an earlier backup there are shared, not "
                    + "copied again. Restore with: stemedb restore BACKUP_DIR TARGET_DIR"},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILURE_LINE, ExitCodes.USAGE_LINE})
public final class BackupCommand extends DbCommand {
    @Parameters(index = "0", paramLabel = "BACKUP_DIR", description = "The backup directory.")
    Path backupDir;

    @Option(names = "--keep", paramLabel = "N", description = "Then delete all but the newest N backups (default: keep all).")
    Integer keep;

    @Option(names = "--report-erased", description = "Take no backup: list the backups in BACKUP_DIR that still hold "
            + "the content of claims erased since they were taken (each is restored to a temporary directory to check).")
    boolean reportErased;

    @Option(names = "--purge-erased", description = "Take no ordinary backup: delete the backups in BACKUP_DIR that hold "
            + "erased content, then take a fresh one (which holds none). Archives exported earlier are not touched.")
    boolean purgeErased;

    @Override
    @SuppressWarnings("try") // the progress display only needs closing
    protected int execute() {
        if (keep != null && keep < 1) {
            throw usage("--keep must be at least 1, got " + keep);
        }
        if (reportErased || purgeErased) {
            if (reportErased && purgeErased) {
                throw usage("give --report-erased or --purge-erased, not both");
            }
            return erased();
        }
        BackupInfo info;
        try (StemeDB db = openForWriting(); Progress progress = progress().ticking("backup")) {
            info = db.backup(backupDir, keep == null ? Integer.MAX_VALUE : keep);
        }
        List<BackupInfo> all = StemeDB.listBackups(backupDir);
        if (json) {
            ObjectNode o = object();
            o.put("backupDir", backupDir.toString());
            o.set("backup", json(info));
            ArrayNode a = o.putArray("backups");
            all.forEach(b -> a.add(json(b)));
            printJson(o);
        } else {
            out().printf("backup %d of %s written to %s (%,d bytes in %d files)%n", info.id(), dataDir, backupDir,
                    info.sizeBytes(), info.files());
            out().println();
            table(all).print(out());
        }
        return ExitCodes.OK;
    }

    @SuppressWarnings("try") // the progress display only needs closing
    private int erased() {
        ErasedBackups result;
        try (StemeDB db = purgeErased ? openForWriting() : openForReading();
                Progress progress = progress().ticking(purgeErased ? "purge" : "check")) {
            result = purgeErased ? db.purgeErasedBackups(backupDir) : db.backupsHoldingErased(backupDir);
        }
        if (json) {
            ObjectNode o = object();
            o.put("backupDir", backupDir.toString());
            ArrayNode held = o.putArray(purgeErased ? "expired" : "holdingErased");
            for (ErasedBackups.Held h : result.holding()) {
                held.add(json(h.backup()).put("erasedClaims", h.erasedClaims()));
            }
            if (result.fresh() != null) {
                o.set("fresh", json(result.fresh()));
            }
            printJson(o);
            return ExitCodes.OK;
        }
        if (result.holding().isEmpty()) {
            out().println("no backup in " + backupDir + " holds erased content");
            return ExitCodes.OK;
        }
        Table t = new Table("BACKUP", "CREATED", "ERASED CLAIMS HELD");
        result.holding().forEach(h -> t.row(h.backup().id(), h.backup().createdAt(), h.erasedClaims()));
        out().println(purgeErased ? "expired the backups that held erased content:" : "backups that hold erased content:");
        t.print(out());
        if (result.fresh() != null) {
            out().printf("took backup %d, which holds none%n", result.fresh().id());
        } else {
            out().println("run stemedb backup " + backupDir + " --purge-erased to expire them");
        }
        return ExitCodes.OK;
    }

    static ObjectNode json(BackupInfo b) {
        ObjectNode o = object();
        o.put("id", b.id());
        o.put("createdAt", b.createdAt().toString());
        o.put("sizeBytes", b.sizeBytes());
        o.put("files", b.files());
        return o;
    }

    static Table table(List<BackupInfo> backups) {
        Table t = new Table("BACKUP", "CREATED", "BYTES", "FILES");
        backups.forEach(b -> t.row(b.id(), b.createdAt(), String.format("%,d", b.sizeBytes()), b.files()));
        return t;
    }
}
