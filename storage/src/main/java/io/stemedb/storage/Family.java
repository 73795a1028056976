package io.stemedb.storage;

import java.nio.charset.StandardCharsets;

/**
 * The column families of storage format 2, declared once: their names, how they are read (which
 * decides their table options in {@link RocksStore}), and whether a commit writes them or the
 * indexer behind it ({@link Indexer}). Key layouts are in docs/format.md ("Storage key layouts")
 * and built by {@link Keys}.
 *
 * <p>The names are those of format 1, on purpose: RocksDB opens a database only with every one of
 * its column families named, so format-1 code opening a format-2 database gets as far as its
 * format check, which refuses it as written by a newer StemeDB. A family declared here that a
 * database lacks is created on open; if the indexer writes it, the indexer fills it from the log.
 */
enum Family {
    /** The format version, node id, counters, the indexer's watermark, the bulk-load journal. */
    META("default", Reads.POINT, Writer.COMMIT),
    /**
     * id (32) -> varint sequence: which assertions are stored, in id order for sync. Written by the
     * indexer since format record 4; until it is, the commit's id is read from the indexer's memory.
     */
    IDS("assertions", Reads.POINT, Writer.INDEXER),
    /** u64 sequence -> where the assertion's record lives: the change feed. */
    LOG("log", Reads.SCAN, Writer.COMMIT),
    /**
     * fact key (16) -> the fact's head, its recent entries appended by a merge operator; and
     * fact key (16) u32 chunk -> the entries sealed out of a large fact's head.
     */
    FACTS("facts", Reads.POINT_MERGED, Writer.COMMIT),
    /** target id (32) u64 sequence -> a retraction whose target is not a stored claim. */
    ORPHANS("retractions", Reads.SCAN, Writer.COMMIT),
    /** name(predicate) valueKey name(subject) -> nothing: find by value. */
    VALUES("values", Reads.SCAN, Writer.INDEXER),
    /**
     * name(source) hlc u64 sequence -> nothing: assertions by source; and 0xff name(subject)
     * name(predicate) -> nothing: subjects in storage order and their predicates.
     */
    SOURCES("sources", Reads.SCAN, Writer.INDEXER),
    /** u16 id bucket -> the digest of the bucket's ids, for Merkle sync. */
    DIGESTS("digests", Reads.SCAN, Writer.INDEXER);

    /** How a family is read, which decides its table options. */
    enum Reads {
        /** Point lookups: a whole-key bloom filter. */
        POINT,
        /** Point lookups of values built by appending: a bloom filter and the append merge operator. */
        POINT_MERGED,
        /** Range scans only: no filter. */
        SCAN
    }

    /** Who writes a family: every commit, in its write batch, or the indexer that trails the commits. */
    enum Writer {
        COMMIT,
        INDEXER
    }

    private final String familyName;
    final Reads reads;
    final Writer writer;

    Family(String familyName, Reads reads, Writer writer) {
        this.familyName = familyName;
        this.reads = reads;
        this.writer = writer;
    }

    /** The RocksDB column family name. */
    String familyName() {
        return familyName;
    }

    byte[] nameBytes() {
        return familyName.getBytes(StandardCharsets.US_ASCII);
    }
}
