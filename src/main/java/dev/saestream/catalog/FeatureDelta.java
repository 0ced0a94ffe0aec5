package dev.saestream.catalog;

import java.util.List;

/**
 * What one document adds to one feature. Counts and sums add; max takes the larger; windows are
 * the candidates that may enter the top-k or the reservoir (the rest were filtered out upstream
 * as provably unable to, but still count in {@code windows}).
 *
 * @param feature     feature index
 * @param activations tokens of the document on which it fired
 * @param sumFixed    sum of those activations in {@link FixedPoint} units
 * @param max         largest of them
 * @param bins        histogram bins hit ({@link ActivationHistogram#bin}), ascending
 * @param binCounts   how often each bin was hit
 * @param windows     activating windows in the document (non-overlapping peaks)
 * @param candidates  those of its windows forwarded for the top-k and the reservoir
 */
public record FeatureDelta(
        int feature,
        int activations,
        long sumFixed,
        float max,
        int[] bins,
        int[] binCounts,
        int windows,
        List<WindowCandidate> candidates) {
    public FeatureDelta {
        if (bins.length != binCounts.length) {
            throw new IllegalArgumentException("bins and binCounts differ in length");
        }
        candidates = candidates == null ? List.of() : candidates;
    }
}
