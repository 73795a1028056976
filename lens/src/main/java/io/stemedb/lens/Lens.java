package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides, at read time, what is true about one (subject, predicate) among its conflicting
 * claims, and says why. StemeDB keeps every claim; a lens is the reader's policy for choosing
 * among them (latest wins, trust one source over another, ...). Built-in lenses come from
 * {@link Lenses}; the default methods here compose them ({@link #orElse}, {@link #asOf},
 * {@link #validAt}, filters); any lambda from {@link Evidence} to {@link Resolution} is a lens too.
 *
 * <pre>{@code
 * Lens lens = Lenses.trust("hr", "crm").orElse(Lenses.latest()).validAt(Instant.parse("2023-03-20T00:00:00Z"));
 * Lens mine = evidence -> Resolution.of(evidence, "first", evidence.live().subList(0, Math.min(1, evidence.live().size())));
 * }</pre>
 *
 * <p><b>Contract.</b> A lens must be a pure function of the evidence it is given: the evidence
 * lists claims in {@link io.stemedb.model.Assertion#RECORD_ORDER}, which depends only on the
 * content of the assertion set, so a lens that looks at nothing else answers the same on every
 * replica whatever the order in which assertions arrived. A lens must never pick a retracted
 * claim as a winner ({@link Resolution#of} refuses it). Lenses must be thread-safe; the built-in
 * ones are immutable.
 */
@FunctionalInterface
public interface Lens {

    /** Resolves the evidence about one (subject, predicate). */
    Resolution resolve(Evidence evidence);

    /** A short name used in explanations, for example {@code latest} or {@code trust[hr > crm]}. */
    default String name() {
        return "custom";
    }

    /** This lens under another name, for explanations: useful for lambdas. */
    default Lens named(String name) {
        Objects.requireNonNull(name, "name");
        Lens self = this;
        return new Lens() {
            @Override
            public Resolution resolve(Evidence evidence) {
                return self.resolve(evidence).decidedBy(name);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** This lens's answer, or {@code fallback}'s when this one chooses nothing. */
    default Lens orElse(Lens fallback) {
        return new FallbackLens(this, Objects.requireNonNull(fallback, "fallback"));
    }

    /**
     * This lens applied to the database as it was at {@code instant} (record time, by the claims'
     * own HLC timestamps): later claims and retractions are not seen, so a claim retracted later is
     * live again.
     */
    default Lens asOf(Instant instant) {
        return new AsOfLens(this, Objects.requireNonNull(instant, "instant"));
    }

    /**
     * This lens applied to the claims whose valid-time interval [validFrom, validTo) contains
     * {@code instant} (claims with no interval are valid always); the others are set aside.
     */
    default Lens validAt(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        return filter("validAt(" + instant + ")", c -> c.isValidAt(instant));
    }

    /** This lens applied to the claims of the given sources only. */
    default Lens onlySources(String... sources) {
        if (sources.length == 0) {
            throw new IllegalArgumentException("onlySources needs at least one source");
        }
        Set<String> allowed = Set.copyOf(Arrays.asList(sources));
        return filter("onlySources(" + String.join(", ", List.of(sources)) + ")", c -> allowed.contains(c.source()));
    }

    /** This lens applied to the claims with a confidence of at least {@code min} (claims without one are set aside). */
    default Lens minConfidence(double min) {
        if (!(min >= 0.0 && min <= 1.0)) {
            throw new IllegalArgumentException("minConfidence must be in [0, 1], got " + min);
        }
        return filter("minConfidence(" + min + ")", c -> c.confidence().isPresent() && c.confidence().getAsDouble() >= min);
    }

    /** This lens applied to the claims whose metadata maps {@code key} to {@code value}. */
    default Lens withMetadata(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return filter("withMetadata(" + key + "=" + value + ")", c -> value.equals(c.metadata().get(key)));
    }

    /**
     * This lens applied to the proven claims only: those signed by a key that the database's key
     * registry binds to the claim's source at the claim's time ({@link Evidence#proofs()}); the
     * others, unsigned or forged, are set aside as "not requireSignature()". Composable with every
     * lens: {@code Lenses.trust("registry", "crm").requireSignature()} ranks signed sources only.
     */
    default Lens requireSignature() {
        return new FilteredLens("requireSignature()", this, Evidence::proven);
    }

    /**
     * This lens applied to the claims {@code keep} accepts; the others are set aside, with
     * {@code description} as the reason in explanations. {@code keep} must be a pure function of
     * the claim for the lens to stay deterministic, and because the filtered lens keeps its answer
     * on evidence that engines share between reads (see {@link Lenses}): a predicate that asks the
     * clock would answer as it did on the fact's first read.
     */
    default Lens filter(String description, Predicate<? super Claim> keep) {
        return new FilteredLens(this, Objects.requireNonNull(description, "description"), Objects.requireNonNull(keep, "keep"));
    }
}
