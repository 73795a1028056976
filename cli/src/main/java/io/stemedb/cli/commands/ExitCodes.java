package io.stemedb.cli.commands;

/** The exit codes of every {@code stemedb} command, which scripts may rely on. */
public final class ExitCodes {
    /** The command did what it was asked. */
    public static final int OK = 0;
    /**
     * The command ran and failed: a locked, missing or incompatible database, a damaged archive or
     * backup, an input file that does not validate, a peer that cannot be reached, verify finding
     * a problem.
     */
    public static final int FAILURE = 1;
    /** The command line itself is wrong: an unknown command or option, a missing or malformed argument. */
    public static final int USAGE = 2;

    /** For {@code exitCodeList} of the commands' help. */
    static final String HEADING = "%nExit codes:%n";
    static final String OK_LINE = "0:success";
    static final String FAILURE_LINE = "1:failure (locked, missing or incompatible database, damaged or invalid input...)";
    static final String USAGE_LINE = "2:usage error (unknown option, missing or malformed argument)";

    private ExitCodes() {}
}
