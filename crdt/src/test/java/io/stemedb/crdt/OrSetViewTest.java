package io.stemedb.crdt;

import static io.stemedb.crdt.Fixtures.evidence;
import static io.stemedb.crdt.Fixtures.integer;
import static io.stemedb.crdt.Fixtures.retract;
import static io.stemedb.crdt.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Claim;
import io.stemedb.model.Retraction;
import io.stemedb.model.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrSetViewTest {

    @Test
    void aRetractionRemovesOnlyTheClaimItNamesSoAConcurrentAddKeepsTheElement() {
        Claim crmTag = text("vip", "crm", 100);
        Claim billingTag = text("vip", "billing", 100);
        Retraction crmRemoves = retract(crmTag, "crm", 200);
        OrSetView view = OrSetView.of(evidence(crmTag, billingTag, crmRemoves));
        assertTrue(view.contains(Value.text("vip")), "billing's add was not observed by crm's remove");
        assertEquals(List.of(Value.text("vip")), List.copyOf(view.elements()));

        OrSetView both = OrSetView.of(evidence(crmTag, billingTag, crmRemoves, retract(billingTag, "billing", 300)));
        assertFalse(both.contains(Value.text("vip")));
        assertTrue(both.elements().isEmpty());
    }

    @Test
    void aLaterReAddOfARemovedValueIsIn() {
        Claim add = text("vip", "crm", 100);
        Retraction remove = retract(add, "crm", 200);
        Claim addAgain = text("vip", "crm", 300);
        assertTrue(OrSetView.of(evidence(add, remove, addAgain)).contains(Value.text("vip")));
        assertFalse(OrSetView.of(evidence(add, remove)).contains(Value.text("vip")));
    }

    @Test
    void removingOneValueLeavesTheOthers() {
        Claim a = text("a", "crm", 100);
        Claim b = text("b", "crm", 110);
        Claim one = integer(1, "crm", 120);
        OrSetView view = OrSetView.of(evidence(one, b, a, retract(b, "alice", 130)));
        // Value order: by type (text before integer), then within the type
        assertEquals(List.of(Value.text("a"), Value.integer(1)), List.copyOf(view.elements()));
        assertFalse(view.contains(Value.text("b")));
        assertTrue(view.contains(Value.integer(1)));
        assertFalse(view.contains(Value.text("1")));
    }

    @Test
    void elementsAreSortedByValueOrderAndDistinct() {
        OrSetView view = OrSetView.of(evidence(integer(3, "crm", 100), integer(-2, "billing", 101),
                text("b", "crm", 102), text("a", "alice", 103), integer(3, "alice", 104)));
        assertEquals(List.of(Value.text("a"), Value.text("b"), Value.integer(-2), Value.integer(3)),
                List.copyOf(view.elements()));
        assertEquals(view, OrSetView.of(evidence(text("a", "x", 1), text("b", "x", 2), integer(-2, "x", 3),
                integer(3, "x", 4))));
    }

    @Test
    void emptyEvidenceIsTheEmptySet() {
        assertTrue(OrSetView.of(evidence()).elements().isEmpty());
        Claim a = text("a", "crm", 100);
        assertEquals(OrSetView.of(evidence()), OrSetView.of(evidence(a, retract(a, "crm", 200))));
    }
}
