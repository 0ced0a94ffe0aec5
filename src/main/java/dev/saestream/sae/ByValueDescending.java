package dev.saestream.sae;

/**
 * Floats ordered from the largest down, as integers: {@link #rank} is a float's place in that order
 * (as {@link Float#compare} orders floats, so -0 after 0), and {@link #key} packs it with an index
 * into a long whose ascending order is value descending, then index ascending. Sorting or heaping
 * such keys orders (value, index) pairs without boxing; the packing is exact both ways.
 */
public final class ByValueDescending {
    private ByValueDescending() {}

    /** A signed int that is smaller the larger {@code value} is; equal only for equal floats. */
    public static int rank(float value) {
        return ~ordered(Float.floatToIntBits(value));
    }

    /** The key of {@code value} at a non-negative {@code index}. */
    public static long key(float value, int index) {
        return ((long) rank(value) << 32) | (index & 0xffffffffL);
    }

    public static float value(long key) {
        return Float.intBitsToFloat(ordered(~(int) (key >> 32)));
    }

    public static int index(long key) {
        return (int) key;
    }

    // Float bits with the magnitude bits of negatives flipped: signed int order is Float.compare's.
    // The map is its own inverse.
    private static int ordered(int bits) {
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
