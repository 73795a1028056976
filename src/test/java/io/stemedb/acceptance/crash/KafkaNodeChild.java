package io.stemedb.acceptance.crash;

import io.stemedb.StemeDB;
import io.stemedb.crdt.IdDigest;
import io.stemedb.kafka.KafkaReplication;
import io.stemedb.kafka.KafkaReplicationSettings;
import io.stemedb.kafka.Replicas;
import io.stemedb.model.AssertionId;
import io.stemedb.model.Value;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A StemeDB node of {@link KafkaClusterFailureTest}, in a JVM of its own: opens the database at
 * args[0] with node id args[1] (hex), replicates it through Kafka (bootstrap args[2], topic
 * args[3], created if absent with args[4] partitions, replication factor args[5] and
 * min.insync.replicas args[6]) and writes claims, pausing args[7] ms between them, printing
 * {@code ACK <id>} after each commit returns. It prints {@code READY} once replicating, and
 * answers lines on stdin: {@code stop} (stop writing; prints {@code STOPPED}), {@code root}
 * (prints {@code ROOT <count> <fingerprint> <publish backlog>}), {@code exit} (closes
 * everything; prints {@code CLOSED}).
 */
public final class KafkaNodeChild {
    private KafkaNodeChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long node = Long.parseUnsignedLong(args[1], 16);
        KafkaReplicationSettings settings = KafkaReplicationSettings.builder().bootstrapServers(args[2]).topic(args[3])
                .createTopic(Integer.parseInt(args[4]), Integer.parseInt(args[5]), Map.of("min.insync.replicas", args[6]))
                .build();
        long pauseMillis = Long.parseLong(args[7]);
        try (StemeDB db = StemeDB.builder().nodeId(node).open(dir);
                KafkaReplication replication = KafkaReplication.start(db, settings)) {
            print("READY");
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                // A restarted node continues its numbering from its log, so that its claims are new.
                long i = db.stats().lastSequence();
                while (writing.get()) {
                    AssertionId id = db.assertion("node-" + args[1], "p" + (i % 64), Value.integer(i)).source(args[1]).commit();
                    print("ACK " + id);
                    i++;
                    try {
                        Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "writer");
            writer.start();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("exit"); line = in.readLine()) {
                if (line.equals("stop")) {
                    writing.set(false);
                    writer.join();
                    print("STOPPED");
                } else if (line.equals("root")) {
                    IdDigest root = Replicas.root(db);
                    print("ROOT " + root.count() + " " + HexFormat.of().formatHex(root.fingerprint()) + " "
                            + replication.stats().publishBacklog());
                }
            }
            writing.set(false);
            writer.join();
        }
        print("CLOSED");
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
