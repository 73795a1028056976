package io.stemedb.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
import io.stemedb.model.Value;
import java.util.HexFormat;

/** The reading of a value from its JSON form ({@link Json#typedValue}). Stateless. */
final class Values {
    private Values() {}

    static Value typed(JsonNode object) {
        JsonNode value = object.get("value");
        if (value == null || value.isNull()) {
            throw new Json.InvalidJsonException("\"value\" is missing");
        }
        JsonNode t = object.get("type");
        Value.Type type;
        if (t == null || t.isNull()) {
            type = kindOf(value);
        } else {
            type = t.isTextual() ? Json.typeOf(t.textValue()) : null;
            if (type == null) {
                throw new Json.InvalidJsonException("\"type\" is " + (t.isTextual() ? "'" + TextInput.excerpt(t.textValue()) + "'"
                        : Json.excerpt(t)) + "; it must be one of " + String.join(", ", Json.TYPE_NAMES));
            }
        }
        try {
            return value(type, value);
        } catch (StemeException e) {
            if (e instanceof Json.InvalidJsonException invalid) {
                throw invalid;
            }
            throw new Json.InvalidJsonException(e.getMessage());
        }
    }

    private static Value.Type kindOf(JsonNode value) {
        if (value.isTextual()) {
            return Value.Type.TEXT;
        }
        if (value.isIntegralNumber()) {
            return Value.Type.INTEGER;
        }
        if (value.isNumber()) {
            return Value.Type.REAL;
        }
        if (value.isBoolean()) {
            return Value.Type.BOOLEAN;
        }
        throw new Json.InvalidJsonException("\"value\" must be a string, a number or a boolean (or give its \"type\"), got "
                + Json.excerpt(value));
    }

    /** A value of {@code type} from its JSON form. */
    private static Value value(Value.Type type, JsonNode n) {
        String name = Json.typeName(type);
        switch (type) {
            case TEXT:
                return Value.text(text(n, name));
            case REF:
                return Value.ref(text(n, name));
            case INTEGER:
                if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                    throw new Json.InvalidJsonException("an integer value must be a whole number between " + Long.MIN_VALUE
                            + " and " + Long.MAX_VALUE + ", got " + Json.excerpt(n));
                }
                return Value.integer(n.longValue());
            case REAL:
                if (n.isNumber()) {
                    return Value.real(finite(n));
                }
                if (n.isTextual() && (n.asText().equals("Infinity") || n.asText().equals("-Infinity"))) {
                    return Value.real(n.asText().startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                }
                throw new Json.InvalidJsonException("a real value must be a number (or \"Infinity\", \"-Infinity\"), got "
                        + Json.excerpt(n));
            case BOOLEAN:
                if (!n.isBoolean()) {
                    throw new Json.InvalidJsonException("a boolean value must be true or false, got " + Json.excerpt(n));
                }
                return Value.bool(n.booleanValue());
            case BYTES: {
                String hex = text(n, name);
                if (hex.length() % 2 != 0 || !Json.hexDigits(hex)) {
                    throw new Json.InvalidJsonException("a bytes value must be a string of hex digits, two per byte, got \""
                            + TextInput.excerpt(hex) + "\"");
                }
                return Value.bytes(HexFormat.of().parseHex(hex));
            }
            case INSTANT:
                try {
                    return Value.instant(TextInput.instant(text(n, name)));
                } catch (IllegalArgumentException e) {
                    throw new Json.InvalidJsonException("an instant value: " + e.getMessage());
                }
            default:
                throw new AssertionError(type);
        }
    }

    /**
     * A JSON number as a double, refused when it is outside the range of a double: JSON has no
     * infinity, so a number that reads as one (1e400) is too large, not infinite; Infinity is
     * written as a string.
     */
    static double finite(JsonNode n) {
        double d = n.doubleValue();
        if (Double.isInfinite(d)) {
            throw new Json.InvalidJsonException("the number " + Json.excerpt(n) + " is outside the range of a double (about "
                    + "1.8e308); write infinity as the string \"Infinity\" or \"-Infinity\"");
        }
        return d;
    }

    private static String text(JsonNode n, String type) {
        if (!n.isTextual()) {
            throw new Json.InvalidJsonException("a " + type + " value must be a string, got " + Json.excerpt(n));
        }
        return n.asText();
    }
}
