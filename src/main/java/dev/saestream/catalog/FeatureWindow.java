package dev.saestream.catalog;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.Arrays;
import java.util.Comparator;

/**
 * An example of one feature firing: the tokens around a peak token of a document, with this
 * feature's activation on each. {@code tokens} are display pieces: each token's slice of the
 * original text including the whitespace before it, so joining them gives the text back.
 *
 * @param doc   document id
 * @param peak  token index (in the document, special tokens excluded) of the peak token
 * @param first token index of {@code tokens[0]} in the document
 * @param tokens display pieces of the window's tokens
 * @param acts  this feature's activation on each token of the window
 */
public record FeatureWindow(
        String doc,
        int peak,
        int first,
        String[] tokens,
        @JsonSerialize(using = ActivationsSerializer.class) float[] acts) {
    /**
     * Rank order for top-k: highest peak activation first, ties by document id (in code point
     * order, which is UTF-8 byte order), then by position.
     */
    public static final Comparator<FeatureWindow> BY_ACTIVATION_DESC = Comparator.comparingDouble(
                    (FeatureWindow w) -> -w.max())
            .thenComparing(FeatureWindow::doc, Ids::compare)
            .thenComparingInt(FeatureWindow::peak);

    public FeatureWindow {
        if (doc == null) {
            throw new IllegalArgumentException("doc must not be null");
        }
        if (tokens == null || acts == null || tokens.length != acts.length) {
            throw new IllegalArgumentException("tokens and acts must be non-null and of equal length");
        }
        if (peak < first || peak >= first + tokens.length) {
            throw new IllegalArgumentException(
                    "peak " + peak + " is outside the window [" + first + ", " + (first + tokens.length) + ")");
        }
    }

    /** The activation at the peak token: the window's score. */
    public float max() {
        return acts[peak - first];
    }

    /** A stable id for the window: document id and peak position. */
    public String id() {
        return doc + "#" + peak;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureWindow w
                && doc.equals(w.doc)
                && peak == w.peak
                && first == w.first
                && Arrays.equals(tokens, w.tokens)
                && Arrays.equals(acts, w.acts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * doc.hashCode() + peak) + Arrays.hashCode(acts);
    }

    @Override
    public String toString() {
        return "FeatureWindow[" + id() + ", max=" + max() + ", "
                + String.join("", tokens).strip() + "]";
    }
}
