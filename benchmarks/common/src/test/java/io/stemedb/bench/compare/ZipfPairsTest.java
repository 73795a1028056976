package io.stemedb.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Zipfian pair chooser of W2z: in range, deterministic, and as skewed as theta 0.99 makes it. */
class ZipfPairsTest {
    private static final long PAIRS = 100_000;
    private static final int DRAWS = 200_000;

    @Test
    void ranksFollowTheZipfianLaw() {
        ZipfPairs zipf = new ZipfPairs(PAIRS);
        SplittableRandom random = new SplittableRandom(7);
        long[] counts = new long[(int) PAIRS];
        for (int i = 0; i < DRAWS; i++) {
            long rank = zipf.nextRank(random);
            assertTrue(rank >= 0 && rank < PAIRS, "rank " + rank);
            counts[(int) rank]++;
        }
        double zeta = 0;
        for (long i = 1; i <= PAIRS; i++) {
            zeta += 1 / Math.pow(i, ZipfPairs.THETA);
        }
        // P(rank 0) = 1 / zeta (about 7.9% here), P(rank 1) = 2^-theta / zeta
        assertEquals(1 / zeta, counts[0] / (double) DRAWS, 0.005);
        assertEquals(Math.pow(2, -ZipfPairs.THETA) / zeta, counts[1] / (double) DRAWS, 0.005);
        long top1000 = 0;
        for (int r = 0; r < 1000; r++) {
            top1000 += counts[r];
        }
        assertTrue(top1000 > DRAWS / 2, "the 1% most popular pairs take most reads: " + top1000);
    }

    @Test
    void pairsAreInRangeAndTheSameForTheSameSeed() {
        ZipfPairs zipf = new ZipfPairs(PAIRS);
        SplittableRandom a = new SplittableRandom(3);
        SplittableRandom b = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            long pair = zipf.next(a);
            assertTrue(pair >= 0 && pair < PAIRS, "pair " + pair);
            assertEquals(pair, zipf.next(b));
        }
    }

    @Test
    void fewerThanTwoPairsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ZipfPairs(1));
    }
}
