package io.stemedb.model;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * How StemeDB reads text that people type or files carry, wherever it comes from (lens
 * expressions, command-line options, JSON Lines, the HTTP API): instants in the three forms below,
 * and the bounded excerpt of bad input that error messages quote. Thread-safe (stateless).
 */
public final class TextInput {
    /** How an instant may be written, for error messages. */
    public static final String INSTANT_FORMS = "an ISO-8601 instant such as 2023-03-20T00:00:00Z, a date-time with an offset "
            + "such as 2023-03-20T09:00:00+02:00, or a date such as 2023-03-20 (midnight UTC)";
    /** The characters of input an error message quotes at most. */
    public static final int EXCERPT = 60;

    private TextInput() {}

    /**
     * An instant written as an ISO-8601 instant ({@code 2023-03-20T00:00:00Z}, with any fraction of
     * a second), a date-time with an offset ({@code 2023-03-20T09:00:00+02:00}), or a date, meaning
     * midnight UTC ({@code 2023-03-20}); surrounding blanks are ignored.
     *
     * @throws IllegalArgumentException quoting an {@link #excerpt} of {@code text} and naming the forms
     */
    public static Instant instant(String text) {
        String t = text.strip();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            // try the other forms
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            // try a date
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + excerpt(text) + "' is not a time; write " + INSTANT_FORMS);
        }
    }

    /**
     * {@code s}, or its beginning and its length when it is longer than {@link #EXCERPT}: a 10 MB
     * field gives an error line of a hundred characters, not 10 MB.
     */
    public static String excerpt(String s) {
        return excerpt(s, EXCERPT);
    }

    /** {@code s}, or its first {@code max - 10} characters and its length when it is longer than {@code max} (at least 10). */
    public static String excerpt(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 10) + "... (" + s.length() + " characters)";
    }
}
