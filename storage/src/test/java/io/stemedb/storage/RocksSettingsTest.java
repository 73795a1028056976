package io.stemedb.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RocksSettingsTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void defaultBlockCacheIsASixteenthOfMemoryBetween64MiBAnd1GiB() {
        assertEquals(64 * MIB, RocksSettings.defaultBlockCacheBytes(0), "memory unknown");
        assertEquals(64 * MIB, RocksSettings.defaultBlockCacheBytes(-1), "memory unknown");
        assertEquals(64 * MIB, RocksSettings.defaultBlockCacheBytes(512 * MIB), "a small container");
        assertEquals(64 * MIB, RocksSettings.defaultBlockCacheBytes(GIB));
        assertEquals(128 * MIB, RocksSettings.defaultBlockCacheBytes(2 * GIB));
        assertEquals(512 * MIB, RocksSettings.defaultBlockCacheBytes(8 * GIB), "a laptop");
        assertEquals(GIB, RocksSettings.defaultBlockCacheBytes(16 * GIB));
        assertEquals(GIB, RocksSettings.defaultBlockCacheBytes(24 * GIB), "capped");
        assertEquals(GIB, RocksSettings.defaultBlockCacheBytes(Long.MAX_VALUE), "capped");
    }

    @Test
    void defaultFactCacheIsASixteenthOfTheHeapBetween64MiBAnd1GiB() {
        assertEquals(64 * MIB, RocksSettings.defaultFactCacheBytes(256 * MIB), "a small heap: what every heap had before");
        assertEquals(64 * MIB, RocksSettings.defaultFactCacheBytes(GIB));
        assertEquals(384 * MIB, RocksSettings.defaultFactCacheBytes(6 * GIB), "the default heap of a 24 GiB machine");
        assertEquals(768 * MIB, RocksSettings.defaultFactCacheBytes(12 * GIB));
        assertEquals(GIB, RocksSettings.defaultFactCacheBytes(32 * GIB), "capped");
        assertEquals(GIB, RocksSettings.defaultFactCacheBytes(Long.MAX_VALUE), "no limit: capped");
    }

    @Test
    void theDefaultsSizeTheCachesFromThisMachinesMemoryAndThisJvmsHeap() {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        assertEquals(RocksSettings.defaultBlockCacheBytes(total), RocksSettings.DEFAULT.blockCacheBytes());
        assertEquals(32 * MIB, RocksSettings.DEFAULT.memtableBytes());
        assertEquals(RocksSettings.defaultFactCacheBytes(Runtime.getRuntime().maxMemory()), RocksSettings.DEFAULT.factCacheBytes());
    }

    @Test
    void refusesACacheSmallerThanItsMemtables() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RocksSettings(false, true, Duration.ofSeconds(1), 16 * MIB, 32 * MIB, 0));
        assertEquals("memtableBytes must be at least 4 MiB and at most blockCacheBytes (16,777,216), got 33,554,432", e.getMessage());
    }
}
