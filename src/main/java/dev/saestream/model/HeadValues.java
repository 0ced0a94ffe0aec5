package dev.saestream.model;

/**
 * One head output for one text: {@code [tokens × width]} row-major, floats or (from int64
 * outputs such as TopK's indices) ints. Exactly one of the arrays is set.
 */
public record HeadValues(int width, float[] floats, int[] ints) {
    public HeadValues {
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive, got " + width);
        }
        if ((floats == null) == (ints == null)) {
            throw new IllegalArgumentException("exactly one of floats and ints must be set");
        }
        int length = floats != null ? floats.length : ints.length;
        if (length % width != 0) {
            throw new IllegalArgumentException("length " + length + " is not a multiple of the width " + width);
        }
    }

    public int rows() {
        return (floats != null ? floats.length : ints.length) / width;
    }
}
