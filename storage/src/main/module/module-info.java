/** The storage engine contract, the RocksDB engine and the in-memory engine. */
module io.stemedb.storage {
    requires transitive io.stemedb.crdt;
    requires org.apache.commons.codec;
    requires com.github.benmanes.caffeine;
    requires org.slf4j;
    requires transitive org.jspecify;
    requires java.management;
    // the memory of the machine or container, which sizes the default block cache
    requires jdk.management;
    // rocksdbjni has no module descriptor: on the module path it is the automatic module named after
    // its jar (rocksdbjni-<version>.jar and rocksdbjni-<version>-linux64.jar both give "rocksdbjni").
    requires rocksdbjni;

    exports io.stemedb.storage;
}
