/**
 * The data model ({@code io.stemedb.model}: assertions, values, identities, exceptions) and the
 * canonical encoding with the CRDT views of the assertion set ({@code io.stemedb.crdt}).
 */
module io.stemedb.crdt {
    requires org.apache.commons.codec;

    exports io.stemedb.model;
    exports io.stemedb.crdt;
    exports io.stemedb.internal to io.stemedb.storage, io.stemedb.backup;
}
