package io.stemedb.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.EnvOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * Writes the indexer's gathered entries as runs: one sorted table file per family, which RocksDB
 * takes in whole ({@link RocksStore#ingest}) instead of inserting each entry into a memtable
 * ({@link Indexer#writeGathered} says why). A run's files are written in the database's
 * {@link Indexer#RUNS_DIRECTORY} and moved into the database by the ingestion; one left there
 * by a crash holds nothing the database needs (the indexer replays the log from its watermark)
 * and is deleted when the database next opens read-write.
 *
 * <p>Not thread-safe: the indexer's thread calls it.
 */
final class IndexRuns {
    private IndexRuns() {
    }

    /**
     * Writes {@code ordered} (by family, then by key, equal keys as put: {@link OrderedPuts#ordered})
     * as one table file per family and ingests each; of puts to one key, the last is kept, as in
     * a write batch. {@code watermark} names the files.
     */
    static void write(RocksStore store, List<OrderedPuts.Put> ordered, Path directory, long watermark) throws RocksDBException {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StorageException("cannot create " + directory + " for the indexer's runs: " + e.getMessage()
                    + "; check the database directory's permissions and free space", e);
        }
        int from = 0;
        while (from < ordered.size()) {
            Family family = ordered.get(from).family();
            int to = from;
            while (to < ordered.size() && ordered.get(to).family() == family) {
                to++;
            }
            Path file = directory.resolve(watermark + "-" + family.familyName() + ".sst");
            try (Options options = store.sstOptions(family); EnvOptions env = new EnvOptions();
                    SstFileWriter w = new SstFileWriter(env, options)) {
                w.open(file.toString());
                for (int i = from; i < to; i++) {
                    OrderedPuts.Put p = ordered.get(i);
                    if (i + 1 < to && Arrays.equals(p.key(), ordered.get(i + 1).key())) {
                        continue;
                    }
                    w.put(p.key(), p.value());
                }
                w.finish();
            }
            store.ingest(family, List.of(file.toString()));
            from = to;
        }
    }
}
