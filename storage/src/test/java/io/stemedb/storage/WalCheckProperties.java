package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.model.Assertion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@link WalCheck} takes for a write-ahead log exactly the files RocksDB names so: ASCII digits,
 * then {@code .log} (the definition, written as the regular expression the check replaced); and
 * it reads any file it is given, a real log cut anywhere, with bytes changed or zeros and garbage
 * after it, without failing: it answers "sound" or names the damage, as the open's first step must.
 */
class WalCheckProperties {
    /** The log of a database that committed 40 batches of 10 claims: more than two 32 KiB blocks. */
    private static byte[] log;
    private static Path work;
    private static final Pattern LOG_NAME = Pattern.compile("[0-9]+\\.log");

    /** Names near the rule (digits of other scripts, case, dots, an empty number) and any names at all. */
    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> near = Arbitraries.strings().withChars("0123456789.logLOGx\u0663\uff11 ").ofMaxLength(12);
        Arbitrary<String> numbered = Arbitraries.strings().withChars("0123456789\u0663").ofMinLength(0).ofMaxLength(8)
                .flatMap(n -> Arbitraries.of(".log", ".LOG", ".log.", "log", ".sst", ".log~").map(s -> n + s));
        return Arbitraries.oneOf(near, numbered, Arbitraries.strings().all().ofMaxLength(12));
    }

    @Property(tries = 3000)
    void aLogFileIsAsciiDigitsThenDotLog(@ForAll("names") String name) {
        assertEquals(LOG_NAME.matcher(name).matches(), WalCheck.isLogName(name), name);
    }

    @BeforeContainer
    static void writeALog() throws IOException {
        work = Files.createTempDirectory("walcheck");
        Path live = work.resolve("live");
        Path image = work.resolve("image");
        try (RocksEngine engine = RocksFaultTest.open(live)) {
            for (int c = 0; c < 40; c++) {
                List<Assertion> batch = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    batch.add(RocksFaultTest.claim(10 * c + i));
                }
                engine.commit(batch);
            }
            WalDamageTest.imageOf(engine, image);
        }
        List<Path> logs = WalCheck.logs(image);
        assertEquals(1, logs.size());
        log = Files.readAllBytes(logs.get(0));
        assertTrue(log.length > 2 * WalCheck.BLOCK, "the log crosses blocks: " + log.length);
    }

    @AfterContainer
    static void deleteTheLog() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(work)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A cut anywhere in the newest log is what a crash leaves: never damage. */
    @Property(tries = 300)
    void aLogCutAnywhereIsATornTailNotDamage(@ForAll @IntRange(min = 0, max = 1 << 20) int cutSeed) throws IOException {
        int cut = cutSeed % (log.length + 1);
        assertNull(scan(Arrays.copyOf(log, cut)), "cut at " + cut + " of " + log.length);
    }

    /**
     * Any cut, any changed bytes, then zeros or garbage: the scan answers, and any damage it names
     * lies inside the file. (What it must call damage is WalDamageTest's part, on real opens.)
     */
    @Property(tries = 500)
    void anyFileIsScannedWithoutFailing(@ForAll @IntRange(min = 0, max = 1 << 20) int cutSeed,
            @ForAll("changes") List<int[]> changes, @ForAll("tails") byte[] tail) throws IOException {
        int cut = cutSeed % (log.length + 1);
        byte[] bytes = Arrays.copyOf(log, cut + tail.length);
        System.arraycopy(tail, 0, bytes, cut, tail.length);
        for (int[] change : changes) {
            if (bytes.length > 0) {
                bytes[change[0] % bytes.length] = (byte) change[1];
            }
        }
        WalCheck.Damage damage = scan(bytes);
        assertTrue(damage == null || damage.offset() >= 0 && damage.offset() < bytes.length && damage.recordsAfter() >= 0,
                "damage outside the file: " + damage);
    }

    @Provide
    Arbitrary<List<int[]>> changes() {
        Arbitrary<int[]> change = Arbitraries.integers().between(0, 1 << 20)
                .flatMap(at -> Arbitraries.of(0, 1, 0x80, 0xff).injectDuplicates(0.5).map(v -> new int[] {at, v}));
        return change.list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<byte[]> tails() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 2 * WalCheck.BLOCK).map(byte[]::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(100));
    }

    /** Scans {@code bytes} as the only log of a directory. */
    private static WalCheck.Damage scan(byte[] bytes) throws IOException {
        Path dir = Files.createDirectories(work.resolve("scan"));
        Files.write(dir.resolve("000004.log"), bytes);
        return WalCheck.scan(dir);
    }
}
