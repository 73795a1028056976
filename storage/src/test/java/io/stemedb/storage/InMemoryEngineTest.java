package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.fail;

import io.stemedb.model.Assertion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link Engine} contract, run against the {@link InMemoryEngine}, and what the in-memory engine gives beyond it. */
class InMemoryEngineTest extends EngineContractTest {
    @Override
    protected Engine newEngine() {
        return new InMemoryEngine(0x5eedL);
    }

    /**
     * A commit becomes visible at one instant for every fact it changes: a reader that saw it in
     * one fact sees it in the other on its next read, whichever fact it reads first; one that found
     * an id the commit stored sees the commit in the fact read after. Stronger than
     * the {@link Engine} contract asks (RocksEngine's fact cache may serve the second read from an
     * entry its commit has not invalidated yet); the oracle gives it.
     */
    @Test
    void aCommitSeenInOneFactIsSeenInTheOthersReadAfter() throws Exception {
        int commits = 1_000;
        List<List<Assertion>> prepared = new ArrayList<>();
        for (int i = 0; i < commits; i++) {
            List<Assertion> batch = new ArrayList<>();
            batch.add(claim("s", "a", "v" + i));
            for (int f = 0; f < 50; f++) {
                // facts between a and b, so that the commit takes a while from changing a to changing b
                batch.add(claim("s", "f" + f, "v" + i));
            }
            batch.add(claim("s", "b", "v" + i));
            prepared.add(batch);
        }
        List<Runnable> readers = new ArrayList<>();
        for (List<String> order : List.of(List.of("a", "b"), List.of("b", "a"))) {
            readers.add(() -> {
                int first = engine.evidence("s", order.get(0)).claims().size();
                int second = engine.evidence("s", order.get(1)).claims().size();
                if (second < first) {
                    fail("read " + order.get(0) + " after commit " + first + ", then " + order.get(1) + " before it (" + second
                            + " claims)");
                }
            });
        }
        int[] found = {0};
        readers.add(() -> {
            while (found[0] < commits && engine.contains(prepared.get(found[0]).get(0).id())) {
                found[0]++;
            }
            int seen = engine.evidence("s", "b").claims().size();
            if (seen < found[0]) {
                fail("found the claim of a of commit " + found[0] + ", then read b before it (" + seen + " claims)");
            }
        });
        readWhileCommitting(prepared, readers);
    }
}
