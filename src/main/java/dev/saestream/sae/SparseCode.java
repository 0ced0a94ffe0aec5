package dev.saestream.sae;

import java.util.Arrays;

/**
 * One token's active SAE features: parallel arrays of feature index and activation, sorted by
 * activation descending (ties by index ascending). Only the non-zero features are kept.
 */
public record SparseCode(int[] indices, float[] values) {
    public static final SparseCode EMPTY = new SparseCode(new int[0], new float[0]);

    public SparseCode {
        if (indices == null || values == null) {
            throw new IllegalArgumentException("indices and values must not be null");
        }
        if (indices.length != values.length) {
            throw new IllegalArgumentException(
                    "indices (" + indices.length + ") and values (" + values.length + ") differ in length");
        }
    }

    /**
     * The code of the (value, index) pairs packed as {@link ByValueDescending#key} in
     * {@code keys[0, n)}; sorts that range, which is then the code's order.
     */
    public static SparseCode ofKeys(long[] keys, int n) {
        Arrays.sort(keys, 0, n);
        int[] idx = new int[n];
        float[] val = new float[n];
        for (int i = 0; i < n; i++) {
            idx[i] = ByValueDescending.index(keys[i]);
            val[i] = ByValueDescending.value(keys[i]);
        }
        return new SparseCode(idx, val);
    }

    public int size() {
        return indices.length;
    }

    /** This token's activation of {@code feature}, 0 when inactive. */
    public float valueOf(int feature) {
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] == feature) {
                return values[i];
            }
        }
        return 0f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseCode s && Arrays.equals(indices, s.indices) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SparseCode[");
        for (int i = 0; i < indices.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(indices[i]).append('=').append(values[i]);
        }
        return sb.append(']').toString();
    }
}
