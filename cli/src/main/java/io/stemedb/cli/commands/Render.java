package io.stemedb.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stemedb.cli.JsonLines;
import io.stemedb.crdt.Evidence;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
import io.stemedb.model.Value;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** How the commands show claims, values and resolutions: as table cells and as JSON. */
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

    static ArrayNode assertions(Collection<? extends Assertion> as) {
        ArrayNode a = JsonLines.JSON.createArrayNode();
        as.forEach(x -> a.add(JsonLines.toJson(x)));
        return a;
    }

    static ArrayNode valueArray(Collection<Value> values) {
        ArrayNode a = JsonLines.JSON.createArrayNode();
        values.forEach(v -> a.add(JsonLines.valueJson(v)));
        return a;
    }

    /** A resolution with all its evidence. */
    static ObjectNode resolution(Resolution r) {
        ObjectNode o = JsonLines.JSON.createObjectNode();
        o.put("subject", r.subject());
        o.put("predicate", r.predicate());
        o.put("lens", r.lens());
        o.set("values", valueArray(r.values()));
        o.set("winners", assertions(r.winners()));
        o.set("overruled", assertions(r.overruled()));
        ArrayNode aside = o.putArray("setAside");
        for (Resolution.SetAside s : r.setAside()) {
            ObjectNode x = aside.addObject();
            x.put("reason", s.reason());
            x.set("claim", JsonLines.toJson(s.claim()));
        }
        ArrayNode retracted = o.putArray("retracted");
        for (Claim c : r.retracted()) {
            ObjectNode x = retracted.addObject();
            x.set("claim", JsonLines.toJson(c));
            x.set("retractions", assertions(r.evidence().retractionsOf(c.id())));
        }
        o.put("explain", r.explain());
        return o;
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
            switch (type) {
                case TEXT:
                    return Value.text(raw);
                case REF:
                    return Value.ref(raw);
                case INTEGER:
                    return Value.integer(Long.parseLong(raw.strip()));
                case REAL: {
                    String r = raw.strip();
                    if (r.equalsIgnoreCase("nan")) {
                        throw new NumberFormatException("NaN");
                    }
                    double d = Double.parseDouble(r);
                    if (Double.isInfinite(d) && !r.replaceFirst("^[+-]", "").equalsIgnoreCase("infinity")) {
                        throw new CommandLine.ParameterException(cmd, "VALUE '" + JsonLines.excerpt(raw) + "' is outside the "
                                + "range of a double (about 1.8e308); write Infinity or -Infinity for an infinite value");
                    }
                    return Value.real(d);
                }
                case BOOLEAN: {
                    String b = raw.strip();
                    if (b.equalsIgnoreCase("true") || b.equalsIgnoreCase("false")) {
                        return Value.bool(Boolean.parseBoolean(b));
                    }
                    throw new CommandLine.ParameterException(cmd, "VALUE '" + JsonLines.excerpt(raw) + "' is not a bool; write true or false");
                }
                case BYTES: {
                    String h = raw.strip();
                    if (h.startsWith("0x") || h.startsWith("0X")) {
                        h = h.substring(2);
                    }
                    return Value.bytes(HexFormat.of().parseHex(h));
                }
                case INSTANT:
                    return Value.instant(TextInput.instant(raw));
                default:
                    throw new AssertionError(type);
            }
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cmd, "VALUE '" + JsonLines.excerpt(raw) + "' is not " + (type == Value.Type.INTEGER
                    ? "an integer (a whole number between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE + ")"
                    : "a real number such as 3.14, 1e-3 or Infinity"));
        } catch (StemeException e) {
            throw new CommandLine.ParameterException(cmd, "VALUE: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            if (type == Value.Type.BYTES) {
                throw new CommandLine.ParameterException(cmd, "VALUE '" + JsonLines.excerpt(raw) + "' is not bytes in hex (two hex digits a byte, "
                        + "for example 0a1b2c)");
            }
            throw new CommandLine.ParameterException(cmd, "VALUE: " + e.getMessage());
        }
    }
}
