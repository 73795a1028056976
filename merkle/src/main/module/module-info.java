/** Merkle sync: the reconciliation protocol, its wire format and its transports. */
module io.stemedb.merkle {
    requires transitive io.stemedb.crdt;
    requires java.net.http;
    requires jdk.httpserver;
    requires transitive org.jspecify;

    exports io.stemedb.merkle;
}
