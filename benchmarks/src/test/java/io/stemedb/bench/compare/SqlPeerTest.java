package io.stemedb.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stemedb.bench.Workload;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite peer that keeps StemeDB's lookups has them, and the plain one does not. */
class SqlPeerTest {
    @TempDir
    Path tmp;

    @Test
    void sqliteIndexedKeepsAUniqueContentIdAndIndexesByValueAndBySource() throws Exception {
        Workload w = new Workload(500, 42);
        Path indexed = tmp.resolve("indexed");
        Path plain = tmp.resolve("plain");
        for (Path dir : new Path[] {indexed, plain}) {
            SqlPeer peer = new SqlPeer(SqlPeer.Dialect.SQLITE, dir == indexed);
            try {
                peer.open(dir);
                peer.ingest(new ClaimBatch(500).fill(w, 0, 500));
            } finally {
                peer.close();
            }
        }
        assertEquals(Set.of("claims_spt", "claims_id", "claims_value", "claims_source"), indexes(indexed));
        assertEquals(Set.of("claims_spt"), indexes(plain));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + indexed.resolve("claims.db"));
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT claim_id), MIN(LENGTH(claim_id)), MAX(LENGTH(claim_id)) FROM claims")) {
            assertTrue(r.next());
            assertEquals(500, r.getInt(1));
            assertEquals(500, r.getInt(2), "a content id per claim, all distinct");
            assertEquals(32, r.getInt(3));
            assertEquals(32, r.getInt(4));
        }
    }

    private static Set<String> indexes(Path dir) throws Exception {
        Set<String> names = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("claims.db"));
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")) {
            while (r.next()) {
                names.add(r.getString(1));
            }
        }
        return names;
    }
}
