package io.stemedb.model;

/**
 * The root of every exception StemeDB throws. It is unchecked: a caller who wants to handle
 * StemeDB failures catches this type or one of its subclasses, each of which is nested in the
 * type that raises it (for example {@link Assertion.InvalidAssertionException} or
 * {@link CanonicalCodec.MalformedRecordException}).
 *
 * <p>Every message says what was wrong and what the caller can do about it.
 */
public class StemeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StemeException(String message) {
        super(message);
    }

    public StemeException(String message, Throwable cause) {
        super(message, cause);
    }
}
