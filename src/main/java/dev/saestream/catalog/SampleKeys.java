package dev.saestream.catalog;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic 64-bit sampling keys. A uniform sample without replacement is the set of items
 * with the smallest keys (bottom-k sampling): it needs no random state, merges across partitions
 * and restarts exactly, and equals what a batch pass over the same items would pick.
 */
public final class SampleKeys {
    private SampleKeys() {}

    /**
     * The key of window ({@code doc}, {@code position}) of {@code feature} (-1 for background
     * windows). The SAE id is not part of it: a catalogue rebuilt under a new id samples exactly
     * the windows the old one did, and two SAEs' samples come from the same documents' positions.
     */
    public static long key(long seed, String doc, int position, int feature) {
        long h = 0xcbf29ce484222325L ^ mix(seed);
        h = fnv(h, doc);
        h = (h ^ position) * 0x100000001b3L;
        h = (h ^ feature) * 0x100000001b3L;
        return mix(h);
    }

    private static long fnv(long h, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        // a separator so that ("ab", "c") and ("a", "bc") differ
        return (h ^ 0xff) * 0x100000001b3L;
    }

    /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    static long mix(long z) {
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }

    /** Unsigned order of keys: smallest first. */
    public static int compare(long a, long b) {
        return Long.compareUnsigned(a, b);
    }
}
