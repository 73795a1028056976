/** The {@code Lens} contract, {@code Resolution} and the built-in lenses. */
module io.stemedb.lens {
    requires transitive io.stemedb.crdt;

    exports io.stemedb.lens;
}
