package dev.saestream.label;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/** Stable hashes for deterministic splits and seeded choices: Kafka's murmur2, the same in every JVM. */
final class Hashing {
    private Hashing() {}

    static int murmur2(String s) {
        return Utils.murmur2(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A 64-bit mix of a seed and a string (SplitMix64's finaliser over murmur2), for seeded orderings. */
    static long mix(long seed, String s) {
        long z = seed ^ (murmur2(s) * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seed of one feature version's random choices. */
    static long seed(String featureKey, long version) {
        return mix(version, featureKey);
    }
}
