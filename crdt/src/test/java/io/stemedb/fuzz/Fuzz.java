package io.stemedb.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Damage for valid inputs, and the check that a parser survives it. */
public final class Fuzz {
    /** The tag of every fuzz property: {@code mvn -Pfuzz} runs these alone, with many more tries. */
    public static final String TAG = "fuzz";
    /** How long one parse may take before it counts as a hang: generous, for a loaded machine. */
    public static final Duration HANG = Duration.ofSeconds(10);

    /** The characters that give text formats their structure: one of them where another was breaks it in interesting ways. */
    private static final String STRUCTURE = "{}[]\",:\\()=.'0-e \u0000";

    private Fuzz() {}

    /** Random bytes, up to {@code maxLength}. */
    public static Arbitrary<byte[]> randomBytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength);
    }

    /** One of {@code valid}, damaged in one to three ways ({@link #mutate}). */
    public static Arbitrary<byte[]> mutationsOf(List<byte[]> valid) {
        return Arbitraries.integers().between(0, valid.size() - 1).flatMap(which -> Arbitraries.longs().map(seed -> {
            Random random = new Random(seed);
            byte[] m = valid.get(which);
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                m = mutate(m, random);
            }
            return m;
        }));
    }

    /** One of {@code valid}, as UTF-8, damaged at the byte level and read back (lone bytes become U+FFFD). */
    public static Arbitrary<String> textMutationsOf(List<String> valid) {
        return mutationsOf(valid.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList())
                .map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * One change: a byte flipped, the input cut short, a byte inserted or removed, a byte set to a
     * varint continuation (0xff: huge lengths and counts), a slice duplicated (nesting, repeats),
     * or a byte set to a structural character of text formats.
     */
    public static byte[] mutate(byte[] input, Random random) {
        if (input.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(input.length);
        switch (random.nextInt(7)) {
            case 0: {
                byte[] m = input.clone();
                m[at] = (byte) (m[at] ^ (1 + random.nextInt(255)));
                return m;
            }
            case 1:
                return Arrays.copyOf(input, at);
            case 2: {
                byte[] m = new byte[input.length + 1];
                System.arraycopy(input, 0, m, 0, at);
                m[at] = (byte) random.nextInt(256);
                System.arraycopy(input, at, m, at + 1, input.length - at);
                return m;
            }
            case 3: {
                byte[] m = new byte[input.length - 1];
                System.arraycopy(input, 0, m, 0, at);
                System.arraycopy(input, at + 1, m, at, input.length - at - 1);
                return m;
            }
            case 4: {
                byte[] m = input.clone();
                m[at] = (byte) 0xff;
                return m;
            }
            case 5: {
                int length = 1 + random.nextInt(Math.min(64, input.length - at));
                byte[] m = new byte[input.length + length];
                System.arraycopy(input, 0, m, 0, at + length);
                System.arraycopy(input, at, m, at + length, input.length - at);
                return m;
            }
            default: {
                byte[] m = input.clone();
                m[at] = (byte) STRUCTURE.charAt(random.nextInt(STRUCTURE.length()));
                return m;
            }
        }
    }

    /**
     * Runs {@code parse} on {@code input} within {@link #HANG}: it must return, or throw one of
     * {@code typed}; anything else (another exception, an error, a hang) fails with the input.
     *
     * @return what it returned, or null when it threw a typed exception
     */
    @SafeVarargs
    public static <T> T typedOrValid(Object input, Supplier<T> parse, Class<? extends Throwable>... typed) {
        return assertTimeoutPreemptively(HANG, () -> {
            try {
                return parse.get();
            } catch (Throwable t) {
                for (Class<? extends Throwable> ok : typed) {
                    if (ok.isInstance(t)) {
                        return null;
                    }
                }
                fail("parsing " + show(input) + " threw " + t, t);
                return null;
            }
        }, () -> "parsing " + show(input) + " did not end within " + HANG);
    }

    private static String show(Object input) {
        String s = input instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(input);
        return s.length() > 400 ? s.substring(0, 400) + "... (" + s.length() + " characters)" : s;
    }
}
