package io.stemedb.lens;

import io.stemedb.crdt.Evidence;
import java.util.Objects;

/**
 * Decides, at read time, what is true about one (subject, predicate) among its conflicting
 * claims, and says why. StemeDB keeps every claim; a lens is the reader's policy for choosing
 * among them (latest wins, trust one source over another, ...). Built-in lenses come from
 * {@link Lenses}; any lambda from {@link Evidence} to {@link Resolution} is a lens too.
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
}
