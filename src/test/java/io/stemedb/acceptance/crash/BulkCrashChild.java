package io.stemedb.acceptance.crash;

import io.stemedb.StemeDB;
import io.stemedb.model.Assertion;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * The child JVM of {@link BulkCrashTest}: bulk-loads {@link BulkCrashTest#load()} into the
 * database at args[0] in runs of 100 claims and, at the point args[1] names, prints
 * {@code AT <point>} and waits to be killed: {@code reading} (half the input read, runs staged),
 * {@code committed} (the journal written, nothing ingested), {@code ingesting} (ids, log and facts
 * ingested, the other families not), {@code ingested} (everything ingested and the counters
 * written, the deferred retractions not committed), {@code upgrading} / {@code verifying} (an
 * upgrade of the format-1 database at args[0], rewritten but not verified / being verified).
 */
public final class BulkCrashChild {
    private BulkCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String point = args[1];
        if (point.equals("upgrading") || point.equals("verifying")) {
            StemeDB.upgrade(dir, (phase, done, total) -> {
                if ((point.equals("upgrading") && phase.equals("upgrade: rewriting"))
                        || (point.equals("verifying") && phase.equals("upgrade: verifying"))) {
                    pause(point);
                }
            });
            System.out.println("DONE");
            return;
        }
        System.setProperty("stemedb.bulk.runClaims", "100");
        List<Assertion> input = BulkCrashTest.load();
        try (StemeDB db = BulkCrashTest.open(dir)) {
            Iterator<Assertion> source = new Iterator<>() {
                int i;

                @Override
                public boolean hasNext() {
                    return i < input.size();
                }

                @Override
                public Assertion next() {
                    if (point.equals("reading") && i == input.size() / 2) {
                        pause(point);
                    }
                    return input.get(i++);
                }
            };
            db.bulkLoad(source, (phase, done, total) -> {
                if ((point.equals("committed") && phase.equals("bulk load: ingesting") && done == 0)
                        || (point.equals("ingesting") && phase.equals("bulk load: ingesting") && done == 4)
                        || (point.equals("ingested") && phase.equals("bulk load: committing the deferred"))) {
                    pause(point);
                }
            });
        }
        System.out.println("DONE");
    }

    private static void pause(String point) {
        System.out.println("AT " + point);
        System.out.flush();
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
