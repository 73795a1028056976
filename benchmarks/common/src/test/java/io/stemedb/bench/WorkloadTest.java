package io.stemedb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    @Test
    void everyPairGetsExactlyTwoClaimsAndTheDataIsDeterministic() {
        Workload w = new Workload(100_000, 42);
        assertEquals(10_000, w.subjects());
        assertEquals(50_000, w.pairs());
        Map<Long, Integer> perPair = new HashMap<>();
        for (long i = 0; i < w.n(); i++) {
            perPair.merge(w.pairOf(i), 1, Integer::sum);
        }
        assertEquals(50_000, perPair.size());
        perPair.values().forEach(c -> assertEquals(2, c));
        Workload again = new Workload(100_000, 42);
        for (long i = 0; i < 1000; i++) {
            int p = Workload.predicateOfPair(w.pairOf(i));
            assertEquals(w.valueOf(i, p), again.valueOf(i, p));
            assertEquals(w.sourceOf(i), again.sourceOf(i));
        }
        assertEquals(20, Workload.nameText(w.hashOf(3)).length());
        assertEquals("entity-00000042", Workload.subjectName(42));
    }
}
