package io.stemedb.bench.compare;

import io.stemedb.bench.Workload;
import java.util.SplittableRandom;

/**
 * Picks (subject, predicate) pairs with Zipfian popularity, as YCSB's default request
 * distribution does: rank r is drawn with probability proportional to 1 / (r + 1)^theta, by the
 * method of Gray et al., "Quickly Generating Billion-Record Synthetic Databases" (SIGMOD 1994),
 * and ranks are scattered over the pairs by a hash, so that the popular pairs are not neighbours
 * in any system's key order (YCSB's "scrambled Zipfian"). Immutable; the caller brings the random
 * source.
 */
final class ZipfPairs {
    /** YCSB's constant: the most popular of 100,000 pairs gets about 8% of the reads. */
    static final double THETA = 0.99;

    private final long pairs;
    private final double zetaN;
    private final double alpha;
    private final double eta;
    private final double halfPowTheta;

    ZipfPairs(long pairs) {
        if (pairs < 2) {
            throw new IllegalArgumentException("a Zipfian choice needs at least 2 pairs, got " + pairs);
        }
        this.pairs = pairs;
        this.zetaN = zeta(pairs);
        this.alpha = 1 / (1 - THETA);
        this.eta = (1 - Math.pow(2.0 / pairs, 1 - THETA)) / (1 - zeta(2) / zetaN);
        this.halfPowTheta = Math.pow(0.5, THETA);
    }

    private static double zeta(long n) {
        double sum = 0;
        for (long i = 1; i <= n; i++) {
            sum += 1 / Math.pow(i, THETA);
        }
        return sum;
    }

    /** The popularity rank of the next read: 0 is the most popular. */
    long nextRank(SplittableRandom random) {
        double u = random.nextDouble();
        double uz = u * zetaN;
        if (uz < 1) {
            return 0;
        }
        if (uz < 1 + halfPowTheta) {
            return 1;
        }
        return Math.min(pairs - 1, (long) (pairs * Math.pow(eta * u - eta + 1, alpha)));
    }

    /** The pair of the next read. */
    long next(SplittableRandom random) {
        return Math.floorMod(Workload.mix64(nextRank(random)), pairs);
    }
}
