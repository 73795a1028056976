/** The one JSON shape of StemeDB's answers, and JSON Lines import and export. */
module io.stemedb.json {
    requires transitive io.stemedb;
    requires transitive com.fasterxml.jackson.databind;

    exports io.stemedb.json;
}
