package dev.saestream.catalog;

/**
 * Activation sums in fixed point (units of 2^-24), so they add exactly and in any order: a
 * partitioned, restarted stream and a batch pass give the same sum to the last bit. Half-float
 * activations are exact multiples of 2^-24; float32 ones are rounded to it per value.
 */
public final class FixedPoint {
    public static final double SCALE = 0x1p24;

    private FixedPoint() {}

    public static long of(float value) {
        return Math.round(value * SCALE);
    }

    public static double toDouble(long fixed) {
        return fixed / SCALE;
    }
}
