package io.stemedb;

import io.stemedb.model.Assertion;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Hlc;
import io.stemedb.model.Retraction;
import java.util.Map;
import java.util.function.Function;

/**
 * A local retraction waiting for its stamp. Its target is known before it is stamped, so the
 * writer checks the target (a stored claim) before taking a stamp, outside every lock.
 */
record RetractionDraft(AssertionId target, String source, Map<String, String> metadata) implements Function<Hlc, Assertion> {
    @Override
    public Assertion apply(Hlc hlc) {
        return Retraction.of(target, source, hlc, metadata);
    }
}
