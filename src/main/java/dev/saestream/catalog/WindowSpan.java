package dev.saestream.catalog;

import java.util.Arrays;

/**
 * A window as the catalogue keeps it: where it sits in its document and the feature's non-zero
 * activations in it. The text is not repeated per window: windows refer to their document's
 * pieces, stored once (the way Neuronpedia and SAELens keep top activations as references into a
 * token dataset).
 *
 * @param peak    document position of the peak token
 * @param first   document position of the window's first token
 * @param length  tokens in the window
 * @param offsets positions within the window (0-based, ascending) where the feature is non-zero
 * @param values  its activation there
 */
public record WindowSpan(int peak, int first, int length, int[] offsets, float[] values) {
    public WindowSpan {
        if (offsets.length != values.length) {
            throw new IllegalArgumentException("offsets and values differ in length");
        }
        if (peak < first || peak >= first + length) {
            throw new IllegalArgumentException(
                    "peak " + peak + " is outside [" + first + ", " + (first + length) + ")");
        }
    }

    /** The activation at the peak. */
    public float max() {
        int k = Arrays.binarySearch(offsets, peak - first);
        return k >= 0 ? values[k] : 0f;
    }

    /** The full window, its tokens taken from the document's {@code pieces}. */
    public FeatureWindow toWindow(String doc, String[] pieces) {
        if (first + length > pieces.length) {
            throw new IllegalArgumentException("window [" + first + ", " + (first + length) + ") is beyond document "
                    + doc + " of " + pieces.length + " tokens");
        }
        float[] acts = new float[length];
        for (int i = 0; i < offsets.length; i++) {
            acts[offsets[i]] = values[i];
        }
        return new FeatureWindow(doc, peak, first, Arrays.copyOfRange(pieces, first, first + length), acts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowSpan w
                && peak == w.peak
                && first == w.first
                && length == w.length
                && Arrays.equals(offsets, w.offsets)
                && Arrays.equals(values, w.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * peak + first) + length;
    }
}
