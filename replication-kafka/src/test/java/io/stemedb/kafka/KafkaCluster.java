package io.stemedb.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka cluster for tests: {@code n} nodes in KRaft mode, each both broker and
 * controller, each in a JVM of its own started from this JVM's class path (Kafka's own
 * {@code kafka.tools.StorageTool} formats its storage, {@code kafka.Kafka} runs it), on loopback
 * ports chosen free. Nodes can be killed with SIGKILL and restarted on the same ports and data.
 * Not thread-safe: one test thread drives it.
 */
public final class KafkaCluster implements AutoCloseable {
    private final Path dir;
    private final String clusterId = Uuid.randomUuid().toString();
    private final List<Node> nodes = new ArrayList<>();

    private static final class Node {
        final int id;
        final int port;
        final int controllerPort;
        final Path config;
        final Path log;
        Process process;

        Node(int id, int port, int controllerPort, Path config, Path log) {
            this.id = id;
            this.port = port;
            this.controllerPort = controllerPort;
            this.config = config;
            this.log = log;
        }
    }

    private KafkaCluster(Path dir) {
        this.dir = dir;
    }

    /**
     * For scripts/enterprise-demo.sh: starts a cluster of args[1] nodes under args[0], prints
     * {@code BOOTSTRAP host:port,...}, then obeys stdin: {@code kill N} (SIGKILL node N; prints
     * {@code KILLED N}), {@code restart N} (prints {@code RESTARTED N} once it is back); stdin's end
     * stops the cluster.
     */
    public static void main(String[] args) throws Exception {
        try (KafkaCluster cluster = start(Path.of(args[0]), Integer.parseInt(args[1]));
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8))) {
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
            System.out.println("BOOTSTRAP " + cluster.bootstrapServers());
            System.out.flush();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] words = line.strip().split(" ");
                if (words.length == 2 && words[0].equals("kill")) {
                    cluster.kill(Integer.parseInt(words[1]));
                    System.out.println("KILLED " + words[1]);
                } else if (words.length == 2 && words[0].equals("restart")) {
                    cluster.restart(Integer.parseInt(words[1]));
                    System.out.println("RESTARTED " + words[1]);
                } else {
                    System.out.println("UNKNOWN " + line);
                }
                System.out.flush();
            }
        }
    }

    /**
     * Starts {@code size} nodes under {@code dir} and waits until every broker is registered.
     * Internal topics get replication factor min(size, 3) and min ISR 1 (size 1) or 2.
     */
    public static KafkaCluster start(Path dir, int size) throws IOException, InterruptedException {
        KafkaCluster cluster = new KafkaCluster(dir);
        try {
            cluster.configure(size);
            for (Node n : cluster.nodes) {
                cluster.format(n);
            }
            for (Node n : cluster.nodes) {
                cluster.launch(n);
            }
            cluster.awaitBrokers(size);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void configure(int size) throws IOException {
        int[] ports = freePorts(2 * size);
        for (int i = 1; i <= size; i++) {
            Path home = Files.createDirectories(dir.resolve("kafka-" + i));
            nodes.add(new Node(i, ports[2 * i - 2], ports[2 * i - 1], home.resolve("server.properties"), home.resolve("broker.log")));
        }
        StringJoiner voters = new StringJoiner(",");
        nodes.forEach(n -> voters.add(n.id + "@127.0.0.1:" + n.controllerPort));
        int rf = Math.min(size, 3);
        int minIsr = size == 1 ? 1 : 2;
        for (Node n : nodes) {
            String props = String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=" + n.id,
                    "controller.quorum.voters=" + voters,
                    "listeners=PLAINTEXT://127.0.0.1:" + n.port + ",CONTROLLER://127.0.0.1:" + n.controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + n.port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "log.dirs=" + n.config.getParent().resolve("data"),
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=" + rf,
                    "transaction.state.log.replication.factor=" + rf,
                    "transaction.state.log.min.isr=" + minIsr,
                    "share.coordinator.state.topic.replication.factor=" + rf,
                    "share.coordinator.state.topic.min.isr=" + minIsr,
                    "group.initial.rebalance.delay.ms=0",
                    // Lets a test see retention delete records within seconds (topics set retention.ms).
                    "log.retention.check.interval.ms=1000",
                    "log.segment.delete.delay.ms=0",
                    "");
            Files.writeString(n.config, props);
        }
    }

    /**
     * {@code count} distinct free loopback ports. Every socket stays open until all are bound: a
     * port picked and closed one at a time can be handed out again by the next pick, and a broker
     * whose two listeners got the same port refused to start.
     */
    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // Tests want a quick start; the harness sets stemedb.kafka.brokerOpts for a broker at full speed.
        command.addAll(List.of(System.getProperty("stemedb.kafka.brokerOpts", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
                .split(" ")));
        command.addAll(List.of("-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info", "-cp", testClassPath(), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** This JVM's class path (surefire runs it without a manifest-only jar: see the module's pom). */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private void format(Node n) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", n.config.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(n.log.toFile())).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("formatting Kafka node " + n.id + " failed; its output:\n" + Files.readString(n.log));
        }
    }

    private void launch(Node n) throws IOException {
        n.process = new ProcessBuilder(java("kafka.Kafka", n.config.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(n.log.toFile())).start();
    }

    private void awaitBrokers(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (Node n : nodes) {
                if (n.process != null && !n.process.isAlive()) {
                    throw new IllegalStateException("Kafka node " + n.id + " exited with " + n.process.exitValue()
                            + "; its log:\n" + tail(n));
                }
            }
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrapServers(),
                    "request.timeout.ms", 5000, "default.api.timeout.ms", 5000))) {
                if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the Kafka cluster did not register " + count + " brokers within 120 s (last: "
                + last + "); node 1's log:\n" + tail(nodes.get(0)));
    }

    private static String tail(Node n) {
        try {
            List<String> lines = Files.readAllLines(n.log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + n.log + ": " + e + ")";
        }
    }

    /** host:port of every node. */
    public String bootstrapServers() {
        StringJoiner s = new StringJoiner(",");
        nodes.forEach(n -> s.add("127.0.0.1:" + n.port));
        return s.toString();
    }

    /** Kills node {@code id} (from 1) with SIGKILL and waits until it is gone. */
    public void kill(int id) throws InterruptedException {
        Node n = nodes.get(id - 1);
        n.process.toHandle().destroyForcibly();
        if (!n.process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Kafka node " + id + " survived SIGKILL for 60 s");
        }
    }

    /** Starts node {@code id} again on its ports and data, and waits until every broker is registered. */
    public void restart(int id) throws IOException, InterruptedException {
        Node n = nodes.get(id - 1);
        launch(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), n.port)) {
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !n.process.isAlive()) {
                    throw new IllegalStateException("Kafka node " + id + " did not listen again within 120 s; its log:\n" + tail(n), e);
                }
                Thread.sleep(200);
            }
        }
        awaitBrokers(nodes.size());
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            if (n.process != null && n.process.isAlive()) {
                n.process.toHandle().destroyForcibly();
            }
        }
        for (Node n : nodes) {
            if (n.process != null) {
                try {
                    n.process.waitFor(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
