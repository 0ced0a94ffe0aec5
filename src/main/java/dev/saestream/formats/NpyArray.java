package dev.saestream.formats;

import java.util.Arrays;

/**
 * An array read from a {@code .npy} file, in C (row-major) order. Exactly one of the data arrays
 * is set, by {@link #dtype}: {@code <f4}, {@code <f2} and {@code <f8} read as floats; {@code <i4}
 * and {@code <i8} as ints (int64 values must fit an int).
 */
public record NpyArray(String dtype, int[] shape, float[] floats, int[] ints) {
    public NpyArray {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        int have = floats != null ? floats.length : ints != null ? ints.length : -1;
        if (have != n) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + have);
        }
    }

    public long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Rows of a 2-D array ({@code shape[0]}), or 1 for a vector. */
    public int rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Columns of a 2-D array ({@code shape[1]}), or the length of a vector. */
    public int cols() {
        return shape.length >= 2 ? shape[1] : shape.length == 1 ? shape[0] : 1;
    }
}
