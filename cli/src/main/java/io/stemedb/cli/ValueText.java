package io.stemedb.cli;

import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
import io.stemedb.model.Value;
import java.util.HexFormat;

/**
 * A value written as text, as {@code stemedb find} and {@code assert} take it and {@code GET
 * /v1/find} too: a number, {@code true}/{@code false}, hex for bytes ({@code 0x} optional), an
 * ISO-8601 instant or date, text as is. Stateless.
 */
public final class ValueText {
    private ValueText() {}

    /** Text that is not a value of the type asked for; the message says why and how to write one. */
    public static final class InvalidValueException extends StemeException {
        private static final long serialVersionUID = 1L;

        InvalidValueException(String message) {
            super(message);
        }
    }

    /**
     * The value {@code raw} writes under {@code type}.
     *
     * @param label what the text is, for the message: {@code VALUE} (an argument), {@code value} (a query parameter)
     * @throws InvalidValueException saying what is wrong, beginning with {@code label}
     */
    public static Value parse(String label, String raw, Value.Type type) {
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
                        throw new InvalidValueException(label + " '" + TextInput.excerpt(raw) + "' is outside the "
                                + "range of a double (about 1.8e308); write Infinity or -Infinity for an infinite value");
                    }
                    return Value.real(d);
                }
                case BOOLEAN: {
                    String b = raw.strip();
                    if (b.equalsIgnoreCase("true") || b.equalsIgnoreCase("false")) {
                        return Value.bool(Boolean.parseBoolean(b));
                    }
                    throw new InvalidValueException(label + " '" + TextInput.excerpt(raw) + "' is not a bool; write true or false");
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
        } catch (InvalidValueException e) {
            throw e;
        } catch (NumberFormatException e) {
            throw new InvalidValueException(label + " '" + TextInput.excerpt(raw) + "' is not " + (type == Value.Type.INTEGER
                    ? "an integer (a whole number between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE + ")"
                    : "a real number such as 3.14, 1e-3 or Infinity"));
        } catch (StemeException e) {
            throw new InvalidValueException(label + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            if (type == Value.Type.BYTES) {
                throw new InvalidValueException(label + " '" + TextInput.excerpt(raw) + "' is not bytes in hex (two hex digits a byte, "
                        + "for example 0a1b2c)");
            }
            throw new InvalidValueException(label + ": " + e.getMessage());
        }
    }
}
