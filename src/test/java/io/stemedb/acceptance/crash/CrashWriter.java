package io.stemedb.acceptance.crash;

import io.stemedb.Batch;
import io.stemedb.Durability;
import io.stemedb.StemeDB;
import io.stemedb.StemeDBBuilder;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Change;
import io.stemedb.model.Claim;
import io.stemedb.model.Value;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process {@link CrashRecoveryTest} kills: it opens a database and writes batches from
 * several threads until it is killed. It never exits on its own.
 *
 * <p>Arguments: {@code <directory> <threads> <seed> <run> <durability>}, durability being
 * {@code default} (the default, fsync on every commit) or a number of milliseconds for
 * {@code Durability.syncEvery}.
 *
 * <p>Protocol on stdout, one line each, flushed at once:
 * <ul>
 *   <li>{@code READY <pid>} once the database is open, before the first write;</li>
 *   <li>{@code BEGIN <tag> <size>} before a batch's write starts;</li>
 *   <li>{@code ACK <tag> <id> <id>...} after the write returned, with the ids in batch order.</li>
 * </ul>
 * Every assertion of a batch carries the metadata {@code batch=<tag>} and {@code i=<index>}, so
 * that the test can find what landed of a batch whose write was never acknowledged. A batch holds
 * 1 to 50 assertions (each thread pausing 0 to 50 ms between batches): claims over several
 * subjects, predicates, sources and value types (some long enough to be indexed by hash), some
 * with a valid time, a confidence or a url, and retractions of claims acknowledged earlier (by
 * this run or a previous one).
 */
public final class CrashWriter {
    static final String[] SUBJECTS = subjects();
    static final String[] PREDICATES = {"name", "ceo", "employees", "founded", "public", "motto"};
    static final String[] SOURCES = {"hr", "crm", "web", "ops", "registry"};
    private static final int MAX_RETRACTABLE = 2000;
    private static final int MAX_PAUSE_MILLIS = 50;

    private final StemeDB db;
    private final String run;
    private final OutputStream out;
    private final List<AssertionId> retractable = new ArrayList<>();

    /**
     * 480 subjects: ten branches of eight companies in six regions. Many subjects keep the claims
     * per (subject, predicate) few, which keeps verify (run after every kill) fast enough.
     */
    private static String[] subjects() {
        String[] companies = {"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"};
        String[] regions = {"eu", "us", "apac", "latam", "mena", "africa"};
        String[] subjects = new String[companies.length * regions.length * 10];
        for (int i = 0; i < subjects.length; i++) {
            subjects[i] = companies[i % companies.length] + "-" + regions[(i / companies.length) % regions.length]
                    + "-" + (i / (companies.length * regions.length));
        }
        return subjects;
    }

    private CrashWriter(StemeDB db, String run, OutputStream out) {
        this.db = db;
        this.run = run;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        String run = args[3];
        String durability = args[4];
        StemeDB db;
        if (durability.equals("default")) {
            db = StemeDB.open(dir);
        } else {
            StemeDBBuilder builder = StemeDB.builder().durability(Durability.syncEvery(Duration.ofMillis(Long.parseLong(durability))));
            db = builder.open(dir);
        }
        CrashWriter writer = new CrashWriter(db, run,
                new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        writer.collectEarlierClaims();
        writer.line("READY " + ProcessHandle.current().pid());
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Random random = new Random(seed * 31 + t);
            Thread worker = new Thread(() -> writer.writeForever(thread, random), "crash-writer-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    /** Claims stored by earlier runs, to retract some of them. */
    private void collectEarlierClaims() {
        long last = db.stats().lastSequence();
        long cursor = Math.max(0, last - MAX_RETRACTABLE);
        for (List<Change> page = db.changesSince(cursor, 500); !page.isEmpty(); page = db.changesSince(cursor, 500)) {
            for (Change c : page) {
                if (c.assertion() instanceof Claim) {
                    retractable.add(c.assertion().id());
                }
            }
            cursor = page.get(page.size() - 1).sequence();
        }
    }

    private void writeForever(int thread, Random random) {
        for (long n = 0; ; n++) {
            String tag = run + "." + thread + "." + n;
            int size = 1 + random.nextInt(50);
            List<AssertionId> targets = new ArrayList<>();
            synchronized (retractable) {
                for (int i = 0; i < size; i++) {
                    targets.add(!retractable.isEmpty() && random.nextInt(6) == 0
                            ? retractable.get(random.nextInt(retractable.size())) : null);
                }
            }
            line("BEGIN " + tag + " " + size);
            List<AssertionId> ids = db.write(batch -> fill(batch, tag, targets, random));
            StringBuilder ack = new StringBuilder(40 + 65 * ids.size()).append("ACK ").append(tag);
            for (AssertionId id : ids) {
                ack.append(' ').append(id);
            }
            line(ack.toString());
            pause(random);
            synchronized (retractable) {
                for (int i = 0; i < ids.size(); i++) {
                    if (targets.get(i) == null) {
                        if (retractable.size() >= MAX_RETRACTABLE) {
                            retractable.set(random.nextInt(MAX_RETRACTABLE), ids.get(i));
                        } else {
                            retractable.add(ids.get(i));
                        }
                    }
                }
            }
        }
    }

    /**
     * Waits up to {@link #MAX_PAUSE_MILLIS} between batches. Unpaced, a cycle writes tens of
     * thousands of assertions, and the directory accumulates them over every cycle while the
     * test verifies all of it after every kill; pacing keeps that affordable. It is not a
     * synchronization: the kill comes at any moment, paused or writing.
     */
    private static void pause(Random random) {
        try {
            Thread.sleep(random.nextInt(MAX_PAUSE_MILLIS + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void fill(Batch batch, String tag, List<AssertionId> targets, Random random) {
        for (int i = 0; i < targets.size(); i++) {
            AssertionId target = targets.get(i);
            String source = SOURCES[random.nextInt(SOURCES.length)];
            if (target != null) {
                batch.retract(target, source, java.util.Map.of("batch", tag, "i", Integer.toString(i)));
                continue;
            }
            int p = random.nextInt(PREDICATES.length);
            Batch.Draft draft = batch.assertion(SUBJECTS[random.nextInt(SUBJECTS.length)], PREDICATES[p], value(p, random))
                    .source(source).metadata("batch", tag).metadata("i", Integer.toString(i));
            if (random.nextInt(4) == 0) {
                Instant from = Instant.parse("2020-01-01T00:00:00Z").plusSeconds(random.nextInt(100_000_000));
                draft.validDuring(from, from.plusSeconds(1 + random.nextInt(10_000_000)));
            }
            if (random.nextInt(3) == 0) {
                draft.confidence(random.nextInt(101) / 100.0);
            }
            if (random.nextInt(5) == 0) {
                draft.metadata("url", "https://example.org/" + random.nextInt(1000));
            }
        }
    }

    private static Value value(int predicate, Random random) {
        switch (PREDICATES[predicate]) {
            case "employees":
                return Value.integer(random.nextInt(100_000));
            case "founded":
                return Value.instant(Instant.parse("1900-01-01T00:00:00Z").plusSeconds(random.nextInt(1_000_000_000)));
            case "public":
                return Value.bool(random.nextBoolean());
            case "motto":
                // long enough (over 64 encoded bytes) to be indexed by its hash
                return Value.text("we make the things that make the things, number " + random.nextInt(50) + " ".repeat(40));
            default:
                return Value.text("Person " + random.nextInt(30));
        }
    }

    /** Writes one line and flushes it: one write(2) on the pipe. */
    private void line(String text) {
        byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new RuntimeException("stdout is gone", e);
            }
        }
    }
}
