package io.stemedb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.lens.Resolution;
import io.stemedb.model.Assertion;
import io.stemedb.model.Attestation;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.KeyEntry;
import io.stemedb.model.SigningKey;
import io.stemedb.model.TestKeys;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Which claims are proven depends on the set of claims, attestations and registry entries a
 * replica holds, never on the order they arrived in or on the path (merges in any batches, sync):
 * replicas that hold the same set give the same signed-only answers, with the same signers.
 */
class SignatureConvergenceProperties {
    static final SigningKey ROOT = TestKeys.key(1);
    static final List<String> SOURCES = List.of("hr", "crm");
    static final List<SigningKey> KEYS = List.of(TestKeys.key(2), TestKeys.key(3), TestKeys.key(4));
    static final long T = 1_700_000_000_000L;
    static final Lens SIGNED = Lenses.signedOnly();
    static final Lens TRUST_SIGNED = Lenses.trust("hr", "crm").requireSignature();

    /** One step of a history: a claim (maybe signed by some key), or a registry entry. */
    record Step(int kind, int source, int key, int subject, int time, boolean signed) {}

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 50),
                Arbitraries.of(true, false)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(25);
    }

    /** The assertions of a history: kind 0..1 claims, 2 a binding, 3 a revocation. */
    static List<Assertion> assertions(List<Step> steps) {
        List<Assertion> out = new ArrayList<>();
        int n = 0;
        for (Step s : steps) {
            Hlc hlc = Hlc.of(T + s.time() * 1000L, n++, 7);
            String source = SOURCES.get(s.source());
            SigningKey k = KEYS.get(s.key());
            if (s.kind() <= 1) {
                Claim c = Claim.builder("s" + s.subject(), "p", Value.integer(n)).source(source).hlc(hlc).build();
                out.add(c);
                if (s.signed()) {
                    out.add(Attestation.sign(c, k, hlc));
                }
            } else {
                KeyEntry.Action action = s.kind() == 2 ? KeyEntry.Action.BIND : KeyEntry.Action.REVOKE;
                out.add(KeyEntry.entry(source, action, k.publicKey(), Instant.ofEpochMilli(T + s.time() * 1000L), ROOT, hlc));
            }
        }
        return out;
    }

    static StemeDB replica(int node) {
        return StemeDB.builder().nodeId(node).rootKey(ROOT.publicKey()).inMemory();
    }

    /** Every fact's signed-only answers, each winner with its signer. */
    static List<String> answers(StemeDB db) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i <= 2; i++) {
            for (Lens lens : List.of(SIGNED, TRUST_SIGNED)) {
                Resolution r = db.resolve("s" + i, "p", lens);
                for (Claim w : r.winners()) {
                    out.add(lens.name() + " s" + i + " " + w.id() + " " + r.evidence().proofs().signer(w));
                }
            }
        }
        return out;
    }

    @Property(tries = 40)
    void signedOnlyAnswersDependOnTheSetNotTheArrivalOrderOrPath(@ForAll("histories") List<Step> steps, @ForAll long seed) {
        List<Assertion> all = assertions(steps);
        List<Assertion> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(seed));
        try (StemeDB once = replica(1); StemeDB oneByOne = replica(2); StemeDB left = replica(3); StemeDB right = replica(4)) {
            once.merge(all);
            for (Assertion a : shuffled) {
                oneByOne.merge(List.of(a));
            }
            int half = shuffled.size() / 2;
            left.merge(shuffled.subList(0, half));
            right.merge(shuffled.subList(half, shuffled.size()));
            left.syncWith(right);
            List<String> expected = answers(once);
            assertEquals(expected, answers(oneByOne));
            assertEquals(expected, answers(left));
            assertEquals(expected, answers(right));
            assertEquals(once.verifySignatures().proving(), right.verifySignatures().proving());
        }
    }
}
