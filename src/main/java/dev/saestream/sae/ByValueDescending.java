package dev.saestream.sae;

/**
 * A (value, index) pair packed in a long whose ascending order is value descending (as {@link
 * Float#compare} orders floats, so -0 after 0), then index ascending: sorting such keys with
 * {@code Arrays.sort(long[])} sorts the pairs without boxing. The packing is exact both ways.
 */
public final class ByValueDescending {
    private ByValueDescending() {}

    /** The key of {@code value} at a non-negative {@code index}. */
    public static long key(float value, int index) {
        return ((long) ~ordered(value) << 32) | (index & 0xffffffffL);
    }

    public static float value(long key) {
        return Float.intBitsToFloat(ordered(~(int) (key >> 32)));
    }

    public static int index(long key) {
        return (int) key;
    }

    // Float bits with the magnitude bits of negatives flipped: signed int order is Float.compare's.
    // The map is its own inverse.
    private static int ordered(float v) {
        return ordered(Float.floatToIntBits(v));
    }

    private static int ordered(int bits) {
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
