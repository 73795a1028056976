package io.stemedb.cli.commands;

import io.stemedb.StemeDB;
import io.stemedb.cli.CliException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * A command that opens the database in {@code --data-dir}. Commands that only read open it
 * read-only, which takes no lock, so they also work while another process (the server) has it open;
 * commands that write take the database's lock and fail with exit code 1 if another process holds it.
 * Every command but {@code init} needs the database to exist.
 */
public abstract class DbCommand extends BaseCommand {
    /** The default database directory, shared with {@code stemedb serve}. */
    public static final String DEFAULT_DATA_DIR = "stemedb-data";

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = DEFAULT_DATA_DIR,
            description = "The database directory (default: ${DEFAULT-VALUE}).")
    protected Path dataDir;

    /** Opens the existing database for reading only. */
    protected StemeDB openForReading() {
        requireDatabase();
        return StemeDB.builder().openReadOnly(dataDir);
    }

    /** Opens the existing database for writing; fails if another process has it open. */
    protected StemeDB openForWriting() {
        requireDatabase();
        return StemeDB.open(dataDir);
    }

    /** True when {@code --data-dir} is a directory with something in it. */
    protected boolean databaseExists() {
        if (!Files.isDirectory(dataDir)) {
            return Files.exists(dataDir);
        }
        try (Stream<Path> entries = Files.list(dataDir)) {
            return entries.findAny().isPresent();
        } catch (IOException e) {
            throw new CliException("cannot read the directory " + dataDir + ": " + describe(e), e);
        }
    }

    protected void requireDatabase() {
        if (!databaseExists()) {
            throw new CliException("there is no database at " + dataDir + "; create one with: stemedb init --data-dir "
                    + dataDir + " (or pass --data-dir the directory of an existing database)");
        }
    }
}
