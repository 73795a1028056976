/** Replication of a StemeDB through an Apache Kafka topic. */
module io.stemedb.kafka {
    requires transitive io.stemedb;
    requires kafka.clients;
    requires org.slf4j;
    requires static org.jspecify;
    requires static micrometer.core;

    exports io.stemedb.kafka;
}
