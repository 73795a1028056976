package io.stemedb.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.stemedb.model.Assertion;
import io.stemedb.model.Claim;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The ways to build evidence agree: {@link Evidence#ofOrdered} on what an index lists, and
 * {@link Evidence#filter} and {@link Evidence#asOf}, which share or return what they keep whole,
 * build the evidence that {@link Evidence#of} builds from the assertions they keep; and its heads
 * are the multi-value register's.
 */
class EvidenceProperties {

    @Provide
    Arbitrary<List<Assertion>> pools() {
        return CrdtArbitraries.pools();
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(-1, CrdtArbitraries.TIME_SPAN)
                .map(ms -> Instant.ofEpochMilli(CrdtArbitraries.BASE_MS + ms));
    }

    @Property
    void ofOrderedOnAnIndexListingIsOf(@ForAll("pools") List<Assertion> pool) {
        for (Map.Entry<String, String> fact : CrdtArbitraries.allFacts()) {
            Evidence e = Evidence.of(fact.getKey(), fact.getValue(), pool);
            List<Assertion> listing = new ArrayList<>(e.claims());
            listing.addAll(e.retractions());
            Evidence ordered = Evidence.ofOrdered(fact.getKey(), fact.getValue(), listing);
            assertEquals(e, ordered);
            assertEquals(e.live(), ordered.live());
            assertEquals(e.retractions(), ordered.retractions());
            for (Claim c : e.claims()) {
                assertEquals(e.retractionsOf(c.id()), ordered.retractionsOf(c.id()));
            }
            if (e.retractions().isEmpty()) {
                assertSame(ordered.claims(), ordered.live(), "nothing retracted: live() is claims(), no copy");
            }
        }
    }

    @Property
    void headsAreTheMultiValueRegistersHeadsInRecordOrder(@ForAll("pools") List<Assertion> pool) {
        for (Map.Entry<String, String> fact : CrdtArbitraries.allFacts()) {
            Evidence e = Evidence.of(fact.getKey(), fact.getValue(), pool);
            List<Claim> expected = new ArrayList<>(MvRegister.of(e).heads().values());
            expected.sort(Assertion.RECORD_ORDER);
            assertEquals(expected, e.heads());
            assertSame(e.heads(), e.heads(), "computed once");
        }
    }

    @Property
    void filterAndAsOfBuildWhatOfBuildsFromWhatTheyKeep(@ForAll("pools") List<Assertion> pool, @ForAll("instants") Instant t) {
        for (Map.Entry<String, String> fact : CrdtArbitraries.allFacts()) {
            Evidence e = Evidence.of(fact.getKey(), fact.getValue(), pool);
            List<Assertion> bySource = new ArrayList<>();
            List<Assertion> beforeT = new ArrayList<>();
            for (Assertion a : pool) {
                if (!(a instanceof Claim c) || c.source().equals("crm")) {
                    bySource.add(a);
                }
                if (!a.hlc().instant().isAfter(t)) {
                    beforeT.add(a);
                }
            }
            Evidence filtered = e.filter(c -> c.source().equals("crm"));
            assertEquals(Evidence.of(fact.getKey(), fact.getValue(), bySource), filtered);
            assertEquals(Evidence.of(fact.getKey(), fact.getValue(), bySource).live(), filtered.live());
            Evidence past = e.asOf(t);
            assertEquals(Evidence.of(fact.getKey(), fact.getValue(), beforeT), past);
            assertEquals(Evidence.of(fact.getKey(), fact.getValue(), beforeT).live(), past.live());
            assertEquals(Evidence.of(fact.getKey(), fact.getValue(), beforeT).retractions(), past.retractions());
            assertEquals(t, past.asOfInstant().orElseThrow());
        }
    }
}
