package io.stemedb.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The command line's logging: slf4j-simple, configured through its system properties, which it
 * reads once, when the first logger is created. The defaults (WARN and above, to stderr) are in
 * {@code simplelogger.properties}; {@code --log-level} and {@code --log-config} are applied while
 * the options are parsed, before any command runs and so before anything logs; a bad value is a
 * usage error. Not thread-safe: it runs on the main thread, before the commands start theirs.
 */
final class Logging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";
    private static final String DEFAULT_LEVEL = PREFIX + "defaultLogLevel";
    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

    /** Set by --log-level: a --log-config file read afterwards does not override it. */
    private static boolean levelGiven;

    private Logging() {}

    /** {@code --log-level LEVEL}: the level of every logger that the configuration file does not name. */
    static void level(CommandLine cmd, String level) {
        String l = level.toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(l)) {
            throw new ParameterException(cmd, "--log-level " + level + " is not a level; give one of trace, debug, info, warn, "
                    + "error, off");
        }
        System.setProperty(DEFAULT_LEVEL, l);
        levelGiven = true;
    }

    /**
     * {@code --log-config FILE}: a properties file of slf4j-simple settings ({@code
     * org.slf4j.simpleLogger.defaultLogLevel}, {@code org.slf4j.simpleLogger.log.<logger>}, {@code
     * org.slf4j.simpleLogger.logFile}...; docs/operations.md, "Logging").
     */
    static void configFile(CommandLine cmd, Path file) {
        Properties settings = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            settings.load(in);
        } catch (IOException e) {
            throw new ParameterException(cmd, "cannot read the logging configuration " + file + " (" + e.getMessage()
                    + "); give a readable properties file (docs/operations.md, \"Logging\")", e, null, file.toString());
        }
        for (String key : settings.stringPropertyNames()) {
            if (!key.startsWith(PREFIX)) {
                throw new ParameterException(cmd, "the logging configuration " + file + " sets " + key + ", which is not a "
                        + "logging setting; its keys start with " + PREFIX + " (docs/operations.md, \"Logging\")");
            }
            if (!(key.equals(DEFAULT_LEVEL) && levelGiven)) {
                System.setProperty(key, settings.getProperty(key));
            }
        }
    }
}
