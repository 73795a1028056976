package io.stemedb.merkle;

/**
 * The knobs of a sync session. {@code maxFrameBytes} bounds every message either side sends, so
 * a large difference streams in many bounded frames; {@code idListThreshold} is the range size
 * below which peers swap id lists instead of splitting the range further.
 */
public record SyncLimits(int maxFrameBytes, int idListThreshold) {
    /** 4 MiB frames; id lists for ranges of at most 16 ids. */
    public static final SyncLimits DEFAULT = new SyncLimits(4 << 20, 16);

    public SyncLimits {
        if (maxFrameBytes < (64 << 10) || maxFrameBytes > (256 << 20)) {
            throw new IllegalArgumentException(String.format(
                    "maxFrameBytes must be between 64 KiB and 256 MiB, got %,d", maxFrameBytes));
        }
        if (idListThreshold < 1 || idListThreshold > 4096) {
            throw new IllegalArgumentException("idListThreshold must be between 1 and 4096, got " + idListThreshold);
        }
    }

    /** How many ids fit in one frame, with room for the framing. */
    int idsPerFrame() {
        return (maxFrameBytes - 1024) / 32;
    }

    /**
     * The most ids one item of a reconciliation message lists: a sixteenth of a frame, less a
     * little, so that the up to 16 answers to one range described by its children always fit a
     * reply together.
     */
    int idsPerItem() {
        return idsPerFrame() / 16 - 4;
    }
}
