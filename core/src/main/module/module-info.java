/**
 * StemeDB, the API applications embed ({@code io.stemedb}). Applications on the module path write
 * {@code requires io.stemedb;}: the modules whose types this API exposes are read with it.
 */
module io.stemedb {
    requires transitive io.stemedb.crdt;
    requires transitive io.stemedb.lens;
    requires transitive io.stemedb.storage;
    requires transitive io.stemedb.merkle;
    requires transitive io.stemedb.backup;
    requires org.slf4j;
    requires transitive org.jspecify;
    // Only StemeDBMetrics needs Micrometer, and only an application that binds the metrics has it.
    requires static micrometer.core;

    exports io.stemedb;
}
