package io.stemedb.cli.commands;

import io.stemedb.cli.ValueText;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** How the commands show claims, values and resolutions in tables (their JSON is io.stemedb.json.Json's). */
final class Render {
    private Render() {}

    /** An instant: a date when it is midnight UTC, else ISO-8601. */
    static String time(Instant t) {
        if (t == null) {
            return "";
        }
        return t.atOffset(ZoneOffset.UTC).toLocalTime().equals(LocalTime.MIDNIGHT)
                ? t.atOffset(ZoneOffset.UTC).toLocalDate().toString()
                : t.toString();
    }

    /** When an assertion was recorded: its HLC's physical time. */
    static String recorded(Assertion a) {
        return a.hlc().instant().toString();
    }

    static String confidence(Claim c) {
        return c.confidence().isPresent() ? String.valueOf(c.confidence().getAsDouble()) : "";
    }

    /** The valid-time interval, or "" when the claim has none. */
    static String valid(Claim c) {
        if (c.validFrom().isEmpty() && c.validTo().isEmpty()) {
            return "";
        }
        return "[" + c.validFrom().map(Render::time).orElse("-") + ", " + c.validTo().map(Render::time).orElse("-") + ")";
    }

    static String metadata(Map<String, String> meta) {
        StringJoiner j = new StringJoiner(", ");
        meta.forEach((k, v) -> j.add(k + "=" + v));
        return j.toString();
    }

    static String values(Collection<Value> values) {
        return values.stream().map(Value::toString).collect(Collectors.joining(", "));
    }

    static String id(Assertion a) {
        return a.id().shortHex();
    }

    /** "retracted by S" (the first retraction's source), or "live". */
    static String status(Evidence e, Claim c) {
        List<Retraction> rs = e.retractionsOf(c.id());
        return rs.isEmpty() ? "live" : "retracted by " + rs.get(0).source();
    }

    /** Why a resolution has no value, for tables. */
    static String noValue(Resolution r) {
        Evidence e = r.evidence();
        return e.isEmpty() ? "no claims" : e.live().isEmpty() ? "every claim is retracted" : "no claim qualified under this lens";
    }

    /** {@code line} cut to the screen width, with "..." (tables and --json have the whole). */
    static String fit(String line) {
        return line.length() <= Table.WIDTH ? line : line.substring(0, Table.WIDTH - 3) + "...";
    }

    /** {@code text} split into lines of at most {@code width} characters at spaces; later lines start with {@code indent}. */
    static List<String> wrap(String text, int width, String indent) {
        List<String> lines = new ArrayList<>();
        String rest = text;
        String prefix = "";
        while (prefix.length() + rest.length() > width) {
            int room = width - prefix.length();
            int cut = rest.lastIndexOf(' ', room);
            if (cut <= 0) {
                cut = room;
            }
            lines.add(prefix + rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut).stripLeading();
            prefix = indent;
        }
        lines.add(prefix + rest);
        return lines;
    }

    /**
     * The value of a {@code VALUE} argument under {@code --type}.
     *
     * @throws CommandLine.ParameterException (a usage error) if it is not one
     */
    static Value value(CommandLine cmd, String raw, Value.Type type) {
        try {
            return ValueText.parse("VALUE", raw, type);
        } catch (ValueText.InvalidValueException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }
}
