package io.stemedb.bench.compare;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * SQLite or H2 through JDBC: an append-only table of claims indexed on (subject, predicate,
 * at_time), one transaction per batch (with {@code sameIndexes}, SQLite also keeping what StemeDB
 * keeps beside its facts: a unique content id, BLAKE3 of the claim's fields computed by the
 * application, and indexes by value and by source), and the queries a user would write for each workload (W4's
 * rules in SQL: an ORDER BY on the source's rank; a window function for each source's newest claim,
 * then GROUP BY value). Values are stored as text. Not thread-safe (one connection); each
 * {@link #reader} is a connection of its own, the way to read from several threads (SQLite in WAL
 * mode lets readers run alongside each other and the writer).
 */
final class SqlPeer implements Peer.Resolving, Peer.Concurrent {
    enum Dialect { SQLITE, H2 }

    private static final String CREATE = "CREATE TABLE IF NOT EXISTS claims (id BIGINT PRIMARY KEY, subject VARCHAR(64) NOT NULL, "
            + "predicate VARCHAR(64) NOT NULL, claim_value VARCHAR(256) NOT NULL, source VARCHAR(64) NOT NULL, at_time BIGINT NOT NULL)";
    private static final String INDEX = "CREATE INDEX IF NOT EXISTS claims_spt ON claims (subject, predicate, at_time)";
    private static final String INSERT = "INSERT INTO claims (id, subject, predicate, claim_value, source, at_time) VALUES (?, ?, ?, ?, ?, ?)";
    /** With {@code sameIndexes}: StemeDB's lookups by id, by value and by source, as SQL indexes. */
    private static final String[] SAME_INDEXES = {
        "ALTER TABLE claims ADD COLUMN claim_id BLOB",
        "CREATE UNIQUE INDEX IF NOT EXISTS claims_id ON claims (claim_id)",
        "CREATE INDEX IF NOT EXISTS claims_value ON claims (predicate, claim_value, subject)",
        "CREATE INDEX IF NOT EXISTS claims_source ON claims (source, at_time)"};
    private static final String INSERT_WITH_ID = "INSERT INTO claims (id, subject, predicate, claim_value, source, at_time, claim_id) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?)";
    private static final String CURRENT = "SELECT claim_value FROM claims WHERE subject = ? AND predicate = ? ORDER BY at_time DESC LIMIT 1";
    private static final String HISTORY = "SELECT claim_value, source, at_time FROM claims WHERE subject = ? AND predicate = ? ORDER BY at_time";
    private static final String MAJORITY = "SELECT claim_value FROM (SELECT source, claim_value, at_time, "
            + "ROW_NUMBER() OVER (PARTITION BY source ORDER BY at_time DESC) AS rn FROM claims WHERE subject = ? AND predicate = ?) newest "
            + "WHERE rn = 1 GROUP BY claim_value ORDER BY COUNT(*) DESC, MAX(at_time) DESC LIMIT 1";

    private final Dialect dialect;
    private final boolean sameIndexes;
    private String url;
    private Connection connection;
    private PreparedStatement insert;
    private PreparedStatement current;
    private PreparedStatement history;
    private PreparedStatement majority;
    private PreparedStatement trust;
    private List<String> ranking;
    /** The database's own version, known once open. */
    private String version = "";

    SqlPeer(Dialect dialect) {
        this(dialect, false);
    }

    SqlPeer(Dialect dialect, boolean sameIndexes) {
        if (sameIndexes && dialect != Dialect.SQLITE) {
            throw new IllegalArgumentException("the indexes StemeDB keeps are written for SQLite only");
        }
        this.dialect = dialect;
        this.sameIndexes = sameIndexes;
    }

    @Override
    public String describe() {
        String engine = dialect == Dialect.SQLITE
                ? "SQLite " + version + " (org.xerial:sqlite-jdbc), journal_mode=WAL, synchronous=FULL (fsync per commit)"
                : "H2 " + version + " file mode (MVStore, its defaults: commits are written, not fsynced)";
        return engine + "; table claims(id, subject, predicate, claim_value text, source, at_time) with an index on (subject, predicate, "
                + "at_time)" + (sameIndexes ? ", and the lookups StemeDB keeps: a column claim_id (BLAKE3 of the claim's fields, computed by "
                + "the application) with a unique index, indexes on (predicate, claim_value, subject) and (source, at_time)" : "")
                + "; one transaction of 1,000 batched INSERTs per batch. W2: " + CURRENT + "; W3: " + HISTORY
                + "; W4 trust: SELECT claim_value ... ORDER BY CASE source WHEN ?1 THEN 0 ... ELSE 5 END, at_time DESC LIMIT 1; W4 majority: "
                + MAJORITY;
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public void open(Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        url = dialect == Dialect.SQLITE ? "jdbc:sqlite:" + dir.resolve("claims.db").toAbsolutePath()
                : "jdbc:h2:file:" + dir.resolve("claims").toAbsolutePath();
        connection = DriverManager.getConnection(url);
        if (dialect == Dialect.SQLITE) {
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
            }
        }
        try (Statement s = connection.createStatement()) {
            s.execute(CREATE);
            s.execute(INDEX);
            if (sameIndexes && !hasColumn("claim_id")) {
                for (String sql : SAME_INDEXES) {
                    s.execute(sql);
                }
            }
        }
        connection.setAutoCommit(false);
        version = connection.getMetaData().getDatabaseProductVersion();
        insert = connection.prepareStatement(sameIndexes ? INSERT_WITH_ID : INSERT);
        current = connection.prepareStatement(CURRENT);
        history = connection.prepareStatement(HISTORY);
        majority = connection.prepareStatement(MAJORITY);
        trust = null;
        ranking = null;
    }

    @Override
    public void ingest(ClaimBatch batch) throws SQLException {
        for (int i = 0; i < batch.size(); i++) {
            insert.setLong(1, batch.time(i));
            insert.setString(2, batch.subject(i));
            insert.setString(3, batch.predicate(i));
            insert.setString(4, String.valueOf(batch.value(i)));
            insert.setString(5, batch.source(i));
            insert.setLong(6, batch.time(i));
            if (sameIndexes) {
                insert.setBytes(7, contentId(batch, i));
            }
            insert.addBatch();
        }
        insert.executeBatch();
        connection.commit();
    }

    /** BLAKE3 of the claim's fields, each length-prefixed: what an application keying claims by content computes. */
    private static byte[] contentId(ClaimBatch batch, int i) {
        java.io.ByteArrayOutputStream fields = new java.io.ByteArrayOutputStream(128);
        for (String f : new String[] {batch.subject(i), batch.predicate(i), String.valueOf(batch.value(i)), batch.source(i),
                Long.toString(batch.time(i))}) {
            byte[] b = f.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            fields.write(b.length >>> 8);
            fields.write(b.length);
            fields.writeBytes(b);
        }
        return org.apache.commons.codec.digest.Blake3.hash(fields.toByteArray());
    }

    private boolean hasColumn(String column) throws SQLException {
        try (ResultSet r = connection.getMetaData().getColumns(null, null, "claims", column)) {
            return r.next();
        }
    }

    private static String first(PreparedStatement q, String subject, String predicate) throws SQLException {
        q.setString(1, subject);
        q.setString(2, predicate);
        try (ResultSet r = q.executeQuery()) {
            return r.next() ? r.getString(1) : null;
        }
    }

    @Override
    public String current(String subject, String predicate) throws SQLException {
        return first(current, subject, predicate);
    }

    /** A connection of its own with W2's prepared query (the database file is in WAL mode since {@link #open}). */
    @Override
    public Reader reader() throws SQLException {
        Connection own = DriverManager.getConnection(url);
        PreparedStatement query = own.prepareStatement(CURRENT);
        return new Reader() {
            @Override
            public String current(String subject, String predicate) throws SQLException {
                return first(query, subject, predicate);
            }

            @Override
            public void close() throws SQLException {
                query.close();
                own.close();
            }
        };
    }

    @Override
    public int history(String subject, String predicate) throws SQLException {
        history.setString(1, subject);
        history.setString(2, predicate);
        int n = 0;
        try (ResultSet r = history.executeQuery()) {
            while (r.next()) {
                n += r.getString(1) == null || r.getString(2) == null || r.getLong(3) < 0 ? 0 : 1;
            }
        }
        return n;
    }

    @Override
    public String trusted(String subject, String predicate, List<String> ranking) throws SQLException {
        if (!ranking.equals(this.ranking)) {
            StringBuilder sql = new StringBuilder("SELECT claim_value FROM claims WHERE subject = ? AND predicate = ? ORDER BY CASE source");
            for (int i = 0; i < ranking.size(); i++) {
                sql.append(" WHEN ? THEN ").append(i);
            }
            sql.append(" ELSE ").append(ranking.size()).append(" END, at_time DESC LIMIT 1");
            if (trust != null) {
                trust.close();
            }
            trust = connection.prepareStatement(sql.toString());
            for (int i = 0; i < ranking.size(); i++) {
                trust.setString(3 + i, ranking.get(i));
            }
            this.ranking = List.copyOf(ranking);
        }
        return first(trust, subject, predicate);
    }

    @Override
    public String majority(String subject, String predicate) throws SQLException {
        return first(majority, subject, predicate);
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            for (PreparedStatement p : new PreparedStatement[] {insert, current, history, majority, trust}) {
                if (p != null) {
                    p.close();
                }
            }
            connection.commit();
            connection.close();
            connection = null;
        }
    }
}
