/** The portable, self-verifying archive: export, verify and import. */
module io.stemedb.backup {
    requires transitive io.stemedb.crdt;
    requires org.apache.commons.codec;

    exports io.stemedb.backup;
}
