package io.stemedb.bench;

import java.util.Arrays;

/**
 * The entry point of {@code benchmarks.jar}:
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar scale --n 1000000 [--n 10000000] [--sync each|periodic] [--dir DIR] [--out FILE.json]
 * java -jar benchmarks/target/benchmarks.jar sync [--n 10k --n 100k --n 1M] [--d 0,10,1000,100000] [--out FILE.json] [--md FILE.md]
 * java -jar benchmarks/target/benchmarks.jar jmh [JMH options, e.g. -f 1 -wi 2 -i 3 ReadBench]
 * java -jar benchmarks/target/benchmarks.jar compare [--quick] [options]
 * </pre>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: benchmarks.jar scale [options]   the side-by-side scale harness (StemeDB vs raw RocksDB)\n"
                    + "       benchmarks.jar sync [options]    the Merkle sync benchmark (rounds, bytes, time per difference)\n"
                    + "       benchmarks.jar jmh [JMH options]  the JMH micro-benchmarks (io.stemedb.bench.jmh)\n"
                    + "       benchmarks.jar inspect --dir DIR --n N  LSM shape and raw fact reads of a kept, closed directory\n"
                    + "       benchmarks.jar compare [--quick] [options]  W1-W5 against StemeDB, raw RocksDB, SQLite, H2, XTDB, Datomic;\n"
                    + "                                                   writes docs/benchmarks.md, its charts and JSON\n\n"
                    + Harness.USAGE + "\n" + io.stemedb.bench.compare.Compare.USAGE);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "scale":
                try {
                    Harness.run(rest, System.out);
                } catch (IllegalArgumentException e) {
                    System.err.println(e.getMessage());
                    System.exit(2);
                }
                break;
            case "compare":
                try {
                    io.stemedb.bench.compare.Compare.run(rest, System.out);
                } catch (IllegalArgumentException e) {
                    System.err.println(e.getMessage());
                    System.exit(2);
                }
                break;
            case "sync":
                try {
                    SyncBench.run(rest, System.out);
                } catch (IllegalArgumentException e) {
                    System.err.println(e.getMessage());
                    System.exit(2);
                }
                break;
            case "inspect":
                Inspect.run(rest, System.out);
                break;
            case "jmh":
                org.openjdk.jmh.Main.main(rest);
                break;
            default:
                System.err.println("unknown command " + args[0] + "; use scale, sync, compare, inspect or jmh");
                System.exit(2);
        }
    }
}
