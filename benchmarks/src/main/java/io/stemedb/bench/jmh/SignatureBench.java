package io.stemedb.bench.jmh;

import io.stemedb.lens.Lens;
import io.stemedb.lens.Lenses;
import io.stemedb.model.Attestation;
import io.stemedb.model.Claim;
import io.stemedb.model.Hlc;
import io.stemedb.model.SigningKey;
import io.stemedb.model.Value;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signed claims, per claim and per read: Ed25519 signing ({@link #sign}: one attestation) and
 * verifying ({@link #verify}: what every arrival path does once per attestation), and resolves of
 * {@link #FACTS} facts of two claims each (sources hr and crm, both signed, both keys registered)
 * through a lens with and without {@link Lens#requireSignature()}; {@link #latestUnsignedDatabase}
 * reads the same facts from a database without any signature (what every read cost before signed
 * claims). Facts are read three times in setup, so on RocksDB the reads hit the fact cache, as in
 * {@link HotReadBench}. Nanoseconds per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SignatureBench {
    static final int FACTS = 1024;
    static final SigningKey ROOT = SigningKey.fromSeed(seed(1));
    static final SigningKey HR = SigningKey.fromSeed(seed(2));
    static final SigningKey CRM = SigningKey.fromSeed(seed(3));

    @Param({"memory", "rocksdb"})
    public String engine;

    private Fixture signed;
    private Fixture unsigned;
    private final Claim[] claims = new Claim[FACTS];
    private final Attestation[] attestations = new Attestation[FACTS];
    private final Lens latest = Lenses.latest();
    private final Lens signedOnly = Lenses.signedOnly();
    private final Lens trust = Lenses.trust("hr", "crm");
    private final Lens trustSigned = Lenses.trust("hr", "crm").requireSignature();
    private final SplittableRandom random = new SplittableRandom(7);

    static byte[] seed(int b) {
        byte[] seed = new byte[SigningKey.KEY_BYTES];
        java.util.Arrays.fill(seed, (byte) b);
        return seed;
    }

    static String subject(int i) {
        return "company:" + i;
    }

    @Setup(Level.Trial)
    public void load() {
        signed = Fixture.open(engine, b -> b.rootKey(ROOT.publicKey()));
        unsigned = Fixture.open(engine);
        signed.db().registerKey("hr", HR.publicKey(), Instant.EPOCH, ROOT);
        signed.db().registerKey("crm", CRM.publicKey(), Instant.EPOCH, ROOT);
        for (int i = 0; i < FACTS; i++) {
            String subject = subject(i);
            Value a = Value.text("Alice " + i);
            Value b = Value.text("Bob " + i);
            signed.db().write(batch -> {
                batch.assertion(subject, "ceo", a).source("crm").signedWith(CRM);
                batch.assertion(subject, "ceo", b).source("hr").signedWith(HR);
            });
            unsigned.db().write(batch -> {
                batch.assertion(subject, "ceo", a).source("crm");
                batch.assertion(subject, "ceo", b).source("hr");
            });
            claims[i] = Claim.builder(subject, "ceo", a).source("crm").hlc(Hlc.of(1_700_000_000_000L + i, 0, 1)).build();
            attestations[i] = Attestation.parse(Attestation.sign(claims[i], CRM, claims[i].hlc()));
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < FACTS; i++) {
                signed.db().history(subject(i), "ceo");
                unsigned.db().history(subject(i), "ceo");
            }
        }
        if (!signed.db().resolve(subject(0), "ceo", signedOnly).value().equals(Optional.of(Value.text("Bob 0")))
                || signed.db().verifySignatures().proving() != 2L * FACTS) {
            throw new IllegalStateException("the signed database does not prove its claims; the benchmark would measure nothing");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        signed.close();
        unsigned.close();
    }

    private int next() {
        return random.nextInt(FACTS);
    }

    /** One attestation: Ed25519 signing of a claim id, and the attestation claim's encoding and hash. */
    @Benchmark
    public Claim sign() {
        Claim c = claims[next()];
        return Attestation.sign(c, CRM, c.hlc());
    }

    /** One attestation's check on arrival: Ed25519 verification. */
    @Benchmark
    public boolean verify() {
        return attestations[next()].verifies();
    }

    /** resolve(s, p, latest).value() in the signed database. */
    @Benchmark
    public Optional<Value> latest() {
        return signed.db().resolve(subject(next()), "ceo", latest).value();
    }

    /** resolve(s, p, latest.requireSignature()).value() in the signed database. */
    @Benchmark
    public Optional<Value> latestSignedOnly() {
        return signed.db().resolve(subject(next()), "ceo", signedOnly).value();
    }

    /** resolve(s, p, latest).value() in a database that holds no signature. */
    @Benchmark
    public Optional<Value> latestUnsignedDatabase() {
        return unsigned.db().resolve(subject(next()), "ceo", latest).value();
    }

    /** resolve(s, p, trust[hr > crm]).value() in the signed database. */
    @Benchmark
    public Optional<Value> trust() {
        return signed.db().resolve(subject(next()), "ceo", trust).value();
    }

    /** resolve(s, p, trust[hr > crm].requireSignature()).value() in the signed database. */
    @Benchmark
    public Optional<Value> trustSignedOnly() {
        return signed.db().resolve(subject(next()), "ceo", trustSigned).value();
    }
}
