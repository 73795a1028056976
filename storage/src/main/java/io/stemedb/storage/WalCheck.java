package io.stemedb.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads RocksDB's write-ahead log files before a database is opened, to tell damage from a torn
 * tail. RocksDB's recovery cannot: in its default mode (point-in-time) a record that fails its
 * checksum in the middle of a log ends the replay there, silently dropping every commit after it,
 * acknowledged ones included, and the first read-write open makes the loss permanent.
 *
 * <p><b>The rule.</b> A log is a sequence of 32 KiB blocks of physical records, each with a
 * masked CRC32C of its type and payload (RocksDB's {@code db/log_format.h}; docs/format.md). A
 * record that fails its check, or whose header does not parse, is <em>damage</em> unless it is a
 * <em>torn tail</em>: in the newest log, with no sound record after it, and incomplete (the file
 * ends inside it) or followed by nothing but zero bytes (preallocated space never written). A
 * commit that crashed while it was being written leaves a torn tail, never a complete record: so
 * a torn tail is an unacknowledged commit, harmless to drop, and anything else is damage to
 * records that were fully written. After damage, the scan resynchronises at the next block (a
 * physical record never crosses one) and counts the sound records that RocksDB would drop.
 *
 * <p>Stateless; the scan reads every log once, sequentially, a block at a time: after a clean
 * close there is none, after a crash at most a few memtables' worth.
 */
final class WalCheck {
    static final int BLOCK = 32 * 1024;
    private static final int HEADER = 7;
    private static final int RECYCLABLE_HEADER = 11;
    private static final int MASK_DELTA = 0xa282ead8;

    /** Damage to fully written log records: where it starts and how many sound commits follow it. */
    record Damage(Path file, long offset, String what, long recordsAfter) {
        String describe() {
            return "the write-ahead log " + file.getFileName() + " is damaged at byte " + offset + " (" + what + "); "
                    + recordsAfter + " fully written commit" + (recordsAfter == 1 ? "" : "s") + " after it would be lost";
        }
    }

    private WalCheck() {}

    /** The first damage in the logs of {@code directory}, or null when every log is sound but for a torn tail. */
    static Damage scan(Path directory) {
        List<Path> logs = logs(directory);
        Damage first = null;
        long soundAfterFirst = 0;
        for (int i = 0; i < logs.size(); i++) {
            FileScan s = scanFile(logs.get(i), i == logs.size() - 1);
            if (first == null && s.damageOffset >= 0) {
                first = new Damage(logs.get(i), s.damageOffset, s.damageWhat, 0);
                soundAfterFirst = s.soundAfterDamage;
            } else if (first != null) {
                soundAfterFirst += s.soundRecords;
            }
        }
        return first == null ? null : new Damage(first.file(), first.offset(), first.what(), soundAfterFirst);
    }

    /** The log files, oldest (lowest number) first. */
    static List<Path> logs(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> logs = new ArrayList<>(files.filter(p -> isLogName(p.getFileName().toString())).toList());
            logs.sort(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replace(".log", ""))));
            return logs;
        } catch (IOException e) {
            throw new StorageException("cannot list the write-ahead logs in " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code name} is a log file's: digits, then {@code .log}. Checked by hand, not by a
     * regular expression: every open lists the directory, a table file per 15 MB of data or so,
     * and in a fresh process the matcher cost 3.0-4.4 ms for 106 names, this loop 1.0-1.1.
     */
    static boolean isLogName(String name) {
        int digits = name.length() - ".log".length();
        if (digits < 1 || !name.endsWith(".log")) {
            return false;
        }
        for (int i = 0; i < digits; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static final class FileScan {
        long damageOffset = -1;
        String damageWhat;
        /** Sound logical records (commits) in the file, and those after its damage. */
        long soundRecords;
        long soundAfterDamage;
    }

    private static FileScan scanFile(Path file, boolean newest) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return scan(new Blocks(channel), newest);
        } catch (IOException e) {
            throw new StorageException("cannot read the write-ahead log " + file + ": " + e.getMessage()
                    + "; check the file's permissions, or restore the database from a backup", e);
        }
    }

    private static FileScan scan(Blocks log, boolean newest) throws IOException {
        FileScan s = new FileScan();
        long offset = 0;
        while (offset < log.size) {
            long blockEnd = (offset / BLOCK + 1) * BLOCK;
            if (blockEnd - offset < HEADER) {
                offset = blockEnd; // a block's trailer, too short for a header, is padding
                continue;
            }
            if (isPreallocated(log, offset)) {
                break;
            }
            int length = soundRecord(log, offset);
            if (length > 0) {
                if (endsLogicalRecord(log.at(offset + 6))) {
                    s.soundRecords++;
                    if (s.damageOffset >= 0) {
                        s.soundAfterDamage++;
                    }
                }
                offset += length;
                continue;
            }
            if (s.damageOffset < 0) {
                s.damageOffset = offset;
                s.damageWhat = describe(log, offset);
            }
            // A damaged header may claim any length: look for the next sound record byte by byte
            // (a false match must pass a 32-bit checksum), so that what damage hides is counted.
            offset = nextSoundRecord(log, offset + 1);
        }
        if (s.damageOffset >= 0 && newest && s.soundAfterDamage == 0 && isTornTail(log, s.damageOffset)) {
            s.damageOffset = -1;
        }
        return s;
    }

    /**
     * A log file read one 32 KiB block at a time: a physical record never crosses a block, so the
     * block of a record's first byte holds all of it. The scan reads the file sequentially with
     * one buffer, whatever its size: a log read whole took its size in heap at every open after a
     * crash, and one over 2 GiB (memtables that large are allowed) could not be read at all.
     */
    private static final class Blocks {
        final FileChannel channel;
        final long size;
        final byte[] block = new byte[BLOCK];
        /** The index of the block in {@link #block}, or -1 before the first read. */
        long index = -1;
        /** How many bytes of {@link #block} the file has (a short last block). */
        int filled;

        Blocks(FileChannel channel) throws IOException {
            this.channel = channel;
            this.size = channel.size();
        }

        /** Loads the block of {@code offset} (within the file) and returns its offset in {@link #block}. */
        int load(long offset) throws IOException {
            long wanted = offset / BLOCK;
            if (wanted != index) {
                ByteBuffer into = ByteBuffer.wrap(block, 0, (int) Math.min(BLOCK, size - wanted * BLOCK));
                long at = wanted * BLOCK;
                while (into.hasRemaining()) {
                    int n = channel.read(into, at + into.position());
                    if (n < 0) {
                        throw new IOException("the file ended at byte " + (at + into.position()) + " while it was read; "
                                + "was it written to during the open?");
                    }
                }
                index = wanted;
                filled = into.position();
            }
            return (int) (offset - wanted * BLOCK);
        }

        int at(long offset) throws IOException {
            if (offset >= size) {
                throw new IndexOutOfBoundsException("byte " + offset + " of a log of " + size);
            }
            return block[load(offset)] & 0xff;
        }

        int u16(long offset) throws IOException {
            return at(offset) | at(offset + 1) << 8;
        }

        int i32(long offset) throws IOException {
            return u16(offset) | u16(offset + 2) << 16;
        }
    }

    /** The length of the sound physical record at {@code offset} (header included), or 0 when there is none. */
    private static int soundRecord(Blocks log, long offset) throws IOException {
        long blockEnd = (offset / BLOCK + 1) * BLOCK;
        if (log.size - offset < HEADER || blockEnd - offset < HEADER) {
            return 0;
        }
        int stored = log.i32(offset);
        int length = log.u16(offset + 4);
        int type = log.at(offset + 6);
        int header = headerSize(type);
        if (type == 0 || offset + header + length > Math.min(blockEnd, log.size)) {
            return 0;
        }
        int inBlock = log.load(offset);
        return mask(crc(log.block, inBlock + 6, header - 6 + length)) == stored ? header + length : 0;
    }

    /** The first offset from {@code from} where a sound record starts, or the end of the file. */
    private static long nextSoundRecord(Blocks log, long from) throws IOException {
        for (long at = from; at + HEADER <= log.size; at++) {
            if (soundRecord(log, at) > 0) {
                return at;
            }
        }
        return log.size;
    }

    private static String describe(Blocks log, long offset) throws IOException {
        if (log.size - offset < HEADER) {
            return "a record header cut short by the end of the file";
        }
        int length = log.u16(offset + 4);
        int header = headerSize(log.at(offset + 6));
        long blockEnd = (offset / BLOCK + 1) * BLOCK;
        if (offset + header + length > log.size && offset + header + length <= blockEnd) {
            return "a record cut short by the end of the file";
        }
        if (offset + header + length > blockEnd) {
            return "a record length of " + length + " that runs past its block";
        }
        return "a record that fails its checksum";
    }

    private static int headerSize(int type) {
        return type >= 5 && type <= 8 || type == 11 || type == 34 ? RECYCLABLE_HEADER : HEADER;
    }

    /**
     * Zero bytes from here to the end: space preallocated for the log and never written (or a
     * header cut short after zero bytes, which the file's end tears alike).
     */
    private static boolean isPreallocated(Blocks log, long offset) throws IOException {
        return allZero(log, offset);
    }

    /**
     * What a crash while writing the last record leaves: it is incomplete (the file ends inside
     * it), or nothing but zeros follows its header. A complete record that fails its checksum is
     * damage. (A flip in the length of the newest record makes it look incomplete: from the file
     * alone the two cannot be told apart; docs/operations.md says so.)
     */
    private static boolean isTornTail(Blocks log, long offset) throws IOException {
        return allZero(log, offset + HEADER) || runsPastEnd(log, offset);
    }

    private static boolean runsPastEnd(Blocks log, long offset) throws IOException {
        if (log.size - offset < HEADER) {
            return true;
        }
        return offset + HEADER + log.u16(offset + 4) > log.size;
    }

    private static boolean endsLogicalRecord(int type) {
        return type == 1 || type == 4 || type == 5 || type == 8;
    }

    /** Whether every byte from {@code from} to the end of the file is zero; stops at the first that is not. */
    private static boolean allZero(Blocks log, long from) throws IOException {
        for (long at = Math.max(0, from); at < log.size; ) {
            int i = log.load(at);
            int end = log.filled;
            for (; i < end; i++) {
                if (log.block[i] != 0) {
                    return false;
                }
            }
            at = (at / BLOCK + 1) * BLOCK;
        }
        return true;
    }

    private static int crc(byte[] data, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, from, length);
        return (int) crc.getValue();
    }

    /** RocksDB stores a CRC rotated and offset, so that a CRC of data containing CRCs is not trivial. */
    private static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }
}
