package io.stemedb.model;

import java.util.Arrays;

/** Signing keys for tests, the same in every run: the key whose Ed25519 seed is 32 bytes of one value. */
public final class TestKeys {
    private TestKeys() {}

    /** The key whose seed is 32 bytes of {@code b}: key(1) and key(2) are two different, fixed keys. */
    public static SigningKey key(int b) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) b);
        return SigningKey.fromSeed(seed);
    }
}
