/** The JUnit 5 extension for tests that use StemeDB as a fixture. */
module io.stemedb.junit {
    requires transitive io.stemedb;
    requires transitive org.junit.jupiter.api;

    exports io.stemedb.junit;
    // JUnit instantiates the extension reflectively.
    opens io.stemedb.junit to org.junit.platform.commons;
}
