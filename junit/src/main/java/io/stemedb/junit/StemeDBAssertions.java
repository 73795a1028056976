package io.stemedb.junit;

import io.stemedb.ReadView;
import io.stemedb.lens.Lens;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Value;
import java.util.Arrays;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions about what a database resolves, which read as a sentence and fail with the
 * resolution's explanation:
 *
 * <pre>{@code
 * assertThat(db).resolves("acme", "ceo", Lenses.latest()).to(Value.text("Bob"));
 * assertThat(db.asOf(monday)).resolves("acme", "ceo", Lenses.latest()).toNothing();
 * assertThat(db).resolves("acme", "ceo", Lenses.all()).isAmbiguous();
 * }</pre>
 *
 * A failure is an {@link AssertionFailedError} whose message names the fact and the lens, shows
 * the expected and the actual outcome and ends with {@link Resolution#explain()}; its expected and
 * actual values are set, so IDEs show them side by side. Stateless and thread-safe.
 */
public final class StemeDBAssertions {
    private StemeDBAssertions() {}

    /** Assertions about what {@code view} (a database, or a view of one as of a time) resolves. */
    public static ViewAssert assertThat(ReadView view) {
        return new ViewAssert(Objects.requireNonNull(view, "view"));
    }

    /** Assertions about a resolution already made. */
    public static ResolutionAssert assertThat(Resolution resolution) {
        return new ResolutionAssert(Objects.requireNonNull(resolution, "resolution"));
    }

    /** What a view resolves. */
    public static final class ViewAssert {
        private final ReadView view;

        private ViewAssert(ReadView view) {
            this.view = view;
        }

        /** Resolves {@code subject}'s {@code predicate} through {@code lens} now; say what to expect next. */
        public ResolutionAssert resolves(String subject, String predicate, Lens lens) {
            return new ResolutionAssert(view.resolve(subject, predicate, lens));
        }
    }

    /** What one resolution holds. Each check returns this assertion, so checks can be chained. */
    public static final class ResolutionAssert {
        private final Resolution resolution;

        private ResolutionAssert(Resolution resolution) {
            this.resolution = resolution;
        }

        /** The resolution checked, for anything these assertions do not cover. */
        public Resolution resolution() {
            return resolution;
        }

        /** Fails unless the lens chose claims that all hold {@code expected}. */
        public ResolutionAssert to(Value expected) {
            Objects.requireNonNull(expected, "expected");
            SortedSet<Value> actual = resolution.values();
            if (actual.size() != 1 || !actual.first().equals(expected)) {
                throw failure("to resolve to " + expected, expected, actualOutcome());
            }
            return this;
        }

        /**
         * Fails unless the winners hold exactly {@code expected} (in any order, each once), as a
         * lens that keeps every current value resolves.
         */
        public ResolutionAssert toValues(Value... expected) {
            SortedSet<Value> wanted = new TreeSet<>(Arrays.asList(expected));
            if (wanted.size() != expected.length) {
                throw new IllegalArgumentException("expected values repeat one another: " + Arrays.toString(expected));
            }
            if (!resolution.values().equals(wanted)) {
                throw failure("to resolve to the values " + wanted, wanted, actualOutcome());
            }
            return this;
        }

        /** Fails unless the lens chose nothing: no claims, all retracted, or none qualified. */
        public ResolutionAssert toNothing() {
            if (!resolution.isEmpty()) {
                throw failure("to resolve to nothing", "nothing", actualOutcome());
            }
            return this;
        }

        /** Fails unless the winners disagree, so that {@link Resolution#value()} would throw. */
        public ResolutionAssert isAmbiguous() {
            if (resolution.values().size() < 2) {
                throw failure("to be ambiguous (winners with different values)", "two or more values", actualOutcome());
            }
            return this;
        }

        /** Fails unless every winner was claimed by {@code source}. */
        public ResolutionAssert wonBy(String source) {
            Objects.requireNonNull(source, "source");
            if (resolution.isEmpty() || !resolution.winners().stream().allMatch(c -> c.source().equals(source))) {
                Object actual = resolution.winners().stream().map(c -> c.source()).distinct().toList();
                throw failure("to be won by claims of " + source, source, actual);
            }
            return this;
        }

        private Object actualOutcome() {
            SortedSet<Value> values = resolution.values();
            if (values.isEmpty()) {
                return "nothing";
            }
            return values.size() == 1 ? values.first() : values;
        }

        private static String describe(Object outcome) {
            if (outcome instanceof SortedSet<?> set) {
                return set.size() + " values " + set;
            }
            return String.valueOf(outcome);
        }

        private AssertionFailedError failure(String expectation, Object expected, Object actual) {
            String message = "expected " + resolution.subject() + "." + resolution.predicate() + " through lens "
                    + resolution.lens() + " " + expectation + ", but it resolved to " + describe(actual)
                    + "\nexplanation: " + resolution.explain();
            return new AssertionFailedError(message, expected, actual);
        }
    }
}
