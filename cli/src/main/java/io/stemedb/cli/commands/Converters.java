package io.stemedb.cli.commands;

import io.stemedb.json.Json;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.model.AssertionId;
import io.stemedb.model.StemeException;
import io.stemedb.model.TextInput;
import io.stemedb.model.Value;
import java.time.Instant;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for the command line's argument types; a bad argument is a usage error (exit 2). */
final class Converters {
    private Converters() {}

    /** A time: {@link io.stemedb.model.TextInput#instant}. */
    static final class InstantConverter implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return TextInput.instant(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An assertion id: 64 hex digits. */
    static final class IdConverter implements ITypeConverter<AssertionId> {
        @Override
        public AssertionId convert(String value) {
            try {
                return AssertionId.parse(value.strip());
            } catch (StemeException e) {
                throw new TypeConversionException(e.getMessage() + "; give the full id, as printed by assert or get");
            }
        }
    }

    /** A value type name. */
    static final class TypeConverter implements ITypeConverter<Value.Type> {
        @Override
        public Value.Type convert(String value) {
            Value.Type t = Json.typeOf(value);
            if (t == null) {
                throw new TypeConversionException("'" + value + "' is not a value type; use one of text, integer, real, "
                        + "bool, bytes, instant, ref");
            }
            return t;
        }
    }

    /** A lens expression ({@link Lenses#parse}). */
    static final class LensConverter implements ITypeConverter<LensArg> {
        @Override
        public LensArg convert(String value) {
            try {
                return new LensArg(value, Lenses.parse(value));
            } catch (Lenses.InvalidLensException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A parsed {@code --lens}: the expression as written and its lens. */
    record LensArg(String expression, Lens lens) {
        static final LensArg LATEST = new LensArg("latest", Lenses.latest());
    }
}
