package io.stemedb.lens;

import static io.stemedb.lens.LensFixtures.claim;
import static io.stemedb.lens.LensFixtures.evidence;
import static io.stemedb.lens.LensFixtures.resolve;
import static io.stemedb.lens.LensFixtures.retract;
import static io.stemedb.lens.LensFixtures.says;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.crdt.Evidence;
import io.stemedb.model.Claim;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lenses written by users: a lambda is a lens. The example of docs/lenses.md lives here so it cannot rot. */
class CustomLensTest {

    // ---- docs/lenses.md, "Writing your own lens": keep the two in step ----

    /**
     * The oldest live claim that cites evidence wins ("first documented report"); a claim without
     * an "evidence" metadata entry never wins. Pure, picks only live claims, holds no state.
     */
    static final Lens FIRST_DOCUMENTED = ((Lens) evidence -> evidence.live().stream()
                    .filter(c -> c.metadata().containsKey("evidence"))
                    .findFirst() // live() is in record order: oldest first
                    .map(c -> Resolution.of(evidence, "first-documented", List.of(c)))
                    .orElseGet(() -> Resolution.none(evidence, "first-documented")))
            .named("first-documented");

    @Test
    void theDocumentedExampleWorksAndComposes() {
        Claim rumour = says("web", "Denver", 1).build();
        Claim filing = says("registry", "Boston", 2).metadata("evidence", "filing 2026-17").build();
        Claim report = says("news", "Austin", 3).metadata("evidence", "interview").build();
        Resolution r = resolve(FIRST_DOCUMENTED, report, rumour, filing);
        assertEquals(List.of(filing), r.winners());
        assertEquals(List.of(rumour, report), r.overruled());
        assertEquals("first-documented", r.lens());
        assertTrue(r.explain().startsWith("first-documented: registry said \"Boston\""), r.explain());

        // the filing is withdrawn: the next documented claim wins; with none, fall back to latest
        Resolution after = resolve(FIRST_DOCUMENTED, rumour, filing, report, retract(filing, "registry", 4));
        assertEquals(List.of(report), after.winners());
        Lens withFallback = FIRST_DOCUMENTED.orElse(Lenses.latest());
        assertEquals(List.of(rumour), resolve(withFallback, rumour).winners());
        assertEquals("latest (first-documented chose nothing)", resolve(withFallback, rumour).lens());
    }

    // ---- the rest of the custom-lens contract ----

    @Test
    void aLambdaIsALensNamedCustom() {
        Lens oldest = evidence -> Resolution.of(evidence, "oldest", evidence.live().isEmpty() ? List.of() : List.of(evidence.live().get(0)));
        assertEquals("custom", oldest.name());
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Austin", 2);
        Resolution r = resolve(oldest, b, a);
        assertEquals(List.of(a), r.winners());
        assertEquals("oldest", r.lens(), "the resolution carries the name the lambda gave it");
        assertEquals("custom.onlySources(a)", oldest.onlySources("a").name());
        assertEquals(Optional.of(LensFixtures.text("Boston")), r.value());
    }

    @Test
    void aLambdaThatPicksARetractedClaimIsStopped() {
        Lens careless = evidence -> Resolution.of(evidence, "careless", evidence.claims().subList(0, 1));
        Claim a = claim("a", "Boston", 1);
        Evidence e = evidence(a, retract(a, "a", 2));
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> careless.resolve(e));
        assertTrue(x.getMessage().contains("which is retracted"), x.getMessage());
    }

    @Test
    void theJavadocExampleOfLensWorks() {
        // Lens's own Javadoc: "first", the oldest live claim
        Lens mine = evidence -> Resolution.of(evidence, "first", evidence.live().subList(0, Math.min(1, evidence.live().size())));
        Claim a = claim("a", "Boston", 1);
        Claim b = claim("b", "Austin", 2);
        assertEquals(List.of(a), resolve(mine, b, a).winners());
        assertTrue(resolve(mine).isEmpty());
        Lens composed = Lenses.trust("hr", "crm").orElse(Lenses.latest()).validAt(java.time.Instant.parse("2023-03-20T00:00:00Z"));
        assertEquals("trust[hr > crm].orElse(latest).validAt(2023-03-20T00:00:00Z)", composed.name());
    }

    @Test
    void aCustomComparatorLensBreaksTiesByRecordOrderToStayDeterministic() {
        // the longest value wins; ties go to the newest (the last in record order), like the built-ins
        Lens longest = evidence -> evidence.live().stream()
                .max(Comparator.comparingInt((Claim c) -> c.value().asText().length())
                        .thenComparing(io.stemedb.model.Assertion.RECORD_ORDER))
                .map(c -> Resolution.of(evidence, "longest", List.of(c)))
                .orElseGet(() -> Resolution.none(evidence, "longest"));
        Claim a = claim("a", "Bonn", 1);
        Claim b = claim("b", "Rome", 2);
        Claim c = claim("c", "Oslo", 0);
        assertEquals(List.of(b), resolve(longest, a, b, c).winners());
        assertEquals(List.of(b), resolve(longest, c, b, a).winners());
    }
}
