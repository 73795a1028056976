package io.stemedb.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * <p>Stateless; the scan reads every log once, sequentially: after a clean close there is none,
 * after a crash at most a few memtables' worth.
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
        byte[] data;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            data = new byte[Math.toIntExact(channel.size())];
            ByteBuffer into = ByteBuffer.wrap(data);
            while (into.hasRemaining() && channel.read(into) >= 0) {
                // read it all
            }
        } catch (IOException | ArithmeticException e) {
            throw new StorageException("cannot read the write-ahead log " + file + ": " + e.getMessage()
                    + "; check the file's permissions, or restore the database from a backup", e);
        }
        FileScan s = new FileScan();
        int offset = 0;
        while (offset < data.length) {
            int blockEnd = (offset / BLOCK + 1) * BLOCK;
            if (blockEnd - offset < HEADER) {
                offset = blockEnd; // a block's trailer, too short for a header, is padding
                continue;
            }
            if (isPreallocated(data, offset)) {
                break;
            }
            int length = soundRecord(data, offset);
            if (length > 0) {
                if (endsLogicalRecord(data[offset + 6] & 0xff)) {
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
                s.damageWhat = describe(data, offset);
            }
            // A damaged header may claim any length: look for the next sound record byte by byte
            // (a false match must pass a 32-bit checksum), so that what damage hides is counted.
            offset = nextSoundRecord(data, offset + 1);
        }
        if (s.damageOffset >= 0 && newest && s.soundAfterDamage == 0 && isTornTail(data, (int) s.damageOffset)) {
            s.damageOffset = -1;
        }
        return s;
    }

    /** The length of the sound physical record at {@code offset} (header included), or 0 when there is none. */
    private static int soundRecord(byte[] data, int offset) {
        int blockEnd = (offset / BLOCK + 1) * BLOCK;
        if (data.length - offset < HEADER || blockEnd - offset < HEADER) {
            return 0;
        }
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int stored = in.getInt(offset);
        int length = in.getShort(offset + 4) & 0xffff;
        int type = data[offset + 6] & 0xff;
        int header = headerSize(type);
        if (type == 0 || offset + header + length > Math.min(blockEnd, data.length)) {
            return 0;
        }
        return mask(crc(data, offset + 6, header - 6 + length)) == stored ? header + length : 0;
    }

    /** The first offset from {@code from} where a sound record starts, or the end of the data. */
    private static int nextSoundRecord(byte[] data, int from) {
        for (int at = from; at + HEADER <= data.length; at++) {
            if (soundRecord(data, at) > 0) {
                return at;
            }
        }
        return data.length;
    }

    private static String describe(byte[] data, int offset) {
        if (data.length - offset < HEADER) {
            return "a record header cut short by the end of the file";
        }
        int length = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getShort(offset + 4) & 0xffff;
        int header = headerSize(data[offset + 6] & 0xff);
        int blockEnd = (offset / BLOCK + 1) * BLOCK;
        if (offset + header + length > data.length && offset + header + length <= blockEnd) {
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

    /** Zero bytes from here to the end: space preallocated for the log and never written. */
    private static boolean isPreallocated(byte[] data, int offset) {
        return data[offset] == 0 && data[offset + 4] == 0 && data[offset + 5] == 0 && data[offset + 6] == 0 && allZero(data, offset);
    }

    /**
     * What a crash while writing the last record leaves: it is incomplete (the file ends inside
     * it), or nothing but zeros follows its header. A complete record that fails its checksum is
     * damage. (A flip in the length of the newest record makes it look incomplete: from the file
     * alone the two cannot be told apart; docs/operations.md says so.)
     */
    private static boolean isTornTail(byte[] data, int offset) {
        return allZero(data, offset + HEADER) || runsPastEnd(data, offset);
    }

    private static boolean runsPastEnd(byte[] data, int offset) {
        if (data.length - offset < HEADER) {
            return true;
        }
        int length = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getShort(offset + 4) & 0xffff;
        return offset + HEADER + length > data.length;
    }

    private static boolean endsLogicalRecord(int type) {
        return type == 1 || type == 4 || type == 5 || type == 8;
    }

    private static boolean allZero(byte[] data, int from) {
        for (int i = Math.max(0, from); i < data.length; i++) {
            if (data[i] != 0) {
                return false;
            }
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
