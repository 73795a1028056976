package io.stemedb.cli;

/**
 * A command that could not do its work for a reason the user can fix (a missing database, a bad
 * input file, an unreadable secret): the command line prints the message as one line on stderr and
 * exits with 1. The message says what is wrong and what to do.
 */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
