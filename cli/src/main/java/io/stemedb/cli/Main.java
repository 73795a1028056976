package io.stemedb.cli;

import io.stemedb.cli.commands.AssertCommand;
import io.stemedb.cli.commands.BackupCommand;
import io.stemedb.cli.commands.ConflictsCommand;
import io.stemedb.cli.commands.EntityCommand;
import io.stemedb.cli.commands.EraseCommand;
import io.stemedb.cli.commands.ExportCommand;
import io.stemedb.cli.commands.FindCommand;
import io.stemedb.cli.commands.GetCommand;
import io.stemedb.cli.commands.HistoryCommand;
import io.stemedb.cli.commands.ImportCommand;
import io.stemedb.cli.commands.InitCommand;
import io.stemedb.cli.commands.KeyCommand;
import io.stemedb.cli.commands.KeygenCommand;
import io.stemedb.cli.commands.ResolveCommand;
import io.stemedb.cli.commands.RestoreCommand;
import io.stemedb.cli.commands.RetractCommand;
import io.stemedb.cli.commands.SalvageCommand;
import io.stemedb.cli.commands.SourcesCommand;
import io.stemedb.cli.commands.StatsCommand;
import io.stemedb.cli.commands.SubjectsCommand;
import io.stemedb.cli.commands.SyncCommand;
import io.stemedb.cli.commands.UpgradeCommand;
import io.stemedb.cli.commands.VerifyArchiveCommand;
import io.stemedb.cli.commands.VerifyCommand;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code stemedb} command line (docs/cli.md). Each feature is a subcommand class registered in
 * {@link Command#subcommands()} below; the database commands are in {@code io.stemedb.cli.commands}.
 * Exit codes follow picocli: 0 for success, 1 when a command fails (a locked or missing database,
 * a damaged archive, an invalid input file...), 2 for a usage error (unknown subcommand or option,
 * malformed argument). Errors go to stderr, as one line that says what to do.
 */
@Command(
        name = "stemedb",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "StemeDB: an embedded database of immutable, attributed claims.",
            "Every claim is kept; lenses decide at read time what is true.",
        },
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:failure (locked, missing or incompatible database, damaged or invalid input...)",
            "2:usage error (unknown command or option, missing or malformed argument)",
        },
        footer = {"", "Start with: stemedb demo; then stemedb init, stemedb COMMAND --help. Documentation: docs/cli.md"},
        subcommands = {
            DemoCommand.class,
            InitCommand.class,
            KeygenCommand.class,
            KeyCommand.class,
            AssertCommand.class,
            RetractCommand.class,
            EraseCommand.class,
            GetCommand.class,
            ResolveCommand.class,
            HistoryCommand.class,
            EntityCommand.class,
            ConflictsCommand.class,
            FindCommand.class,
            SourcesCommand.class,
            SubjectsCommand.class,
            StatsCommand.class,
            VerifyCommand.class,
            SalvageCommand.class,
            ImportCommand.class,
            UpgradeCommand.class,
            ExportCommand.class,
            BackupCommand.class,
            RestoreCommand.class,
            VerifyArchiveCommand.class,
            SyncCommand.class,
            io.stemedb.cli.serve.ServeCommand.class,
        })
public final class Main implements Runnable {
    /** Exit code of a command that failed (picocli's own default for execution errors). */
    static final int EXIT_FAILURE = 1;

    @Spec
    CommandSpec spec;

    /** Global: before or after the command's name. Applied as it is parsed, before anything logs. */
    @Option(names = "--log-level", paramLabel = "LEVEL", scope = ScopeType.INHERIT,
            description = "What to log to stderr: trace, debug, info, warn (the default), error or off.")
    void logLevel(String level) {
        Logging.level(spec.commandLine(), level);
    }

    @Option(names = "--log-config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "A properties file of logging settings (levels per logger, a log file; docs/operations.md, "
                    + "\"Logging\"). --log-level overrides its default level.")
    void logConfig(Path file) {
        Logging.configFile(spec.commandLine(), file);
    }

    /**
     * Runs the command line and exits with its exit code. Arguments are read as the UTF-8 the
     * user typed ({@link Arguments}), and output is written in UTF-8, whatever the platform
     * encoding: under {@code LC_ALL=C}, Java 17 would otherwise write '?' for every non-ASCII
     * character.
     */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), true,
                StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.setOut(out);
        System.setErr(err);
        CommandLine cmd = commandLine();
        cmd.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cmd.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        int code;
        try {
            code = cmd.execute(Arguments.asTyped(args));
        } catch (CliException e) {
            err.println("stemedb: " + e.getMessage());
            code = 2;
        }
        cmd.getOut().flush();
        out.flush();
        System.exit(code);
    }

    /** The configured command line: what {@link #main} runs, for embedding and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorHandler());
    }

    /** {@code stemedb} without a command: a usage error. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing command: which one? (try: stemedb --help, or stemedb demo)");
    }

    /** The version of the jar this class came from. */
    static String version() {
        Package p = Main.class.getPackage();
        if (p != null && p.getImplementationVersion() != null) {
            return p.getImplementationVersion(); // from the jar's manifest
        }
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties props = new Properties();
                props.load(in);
                String v = props.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    /** {@code stemedb --version}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "stemedb " + version(),
                "Java ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})",
            };
        }
    }

    /**
     * Reports a failed command as one line on stderr ({@code stemedb demo: <message>}), with the
     * stack trace only for failures that are bugs rather than bad input.
     */
    static final class ErrorHandler implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
            PrintWriter err = cmd.getErr();
            String name = cmd.getCommandSpec().qualifiedName();
            boolean expected = e instanceof DemoDataset.DatasetException || e instanceof io.stemedb.model.StemeException
                    || e instanceof CliException;
            err.println(cmd.getColorScheme().errorText(name + ": " + (expected ? "" : "internal error: ") + e.getMessage()));
            if (!expected) {
                e.printStackTrace(err);
            }
            err.flush();
            return cmd.getExitCodeExceptionMapper() != null ? cmd.getExitCodeExceptionMapper().getExitCode(e) : EXIT_FAILURE;
        }
    }
}
