package io.stemedb.cli;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The instants the command line reads, in options ({@code --as-of}, {@code --valid-from}) and JSON
 * Lines files (lens expressions read the same forms in {@link io.stemedb.lens.Lenses#parse}): an ISO-8601 instant
 * ({@code 2023-03-20T00:00:00Z}, with any fraction of a second), a date-time with an offset
 * ({@code 2023-03-20T09:00:00+02:00}), or a date, meaning midnight UTC ({@code 2023-03-20}).
 */
public final class Times {
    /** How an instant may be written, for error messages. */
    public static final String FORMS = "an ISO-8601 instant such as 2023-03-20T00:00:00Z, a date-time with an offset "
            + "such as 2023-03-20T09:00:00+02:00, or a date such as 2023-03-20 (midnight UTC)";

    private Times() {}

    /**
     * Parses an instant in one of the accepted forms.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Instant parse(String text) {
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
            throw new IllegalArgumentException("'" + text + "' is not a time; write " + FORMS);
        }
    }
}
