/** The portable, self-verifying archive: export, verify and import. */
module io.stemedb.backup {
    requires transitive io.stemedb.storage;
    requires org.apache.commons.codec;

    exports io.stemedb.backup;
}
