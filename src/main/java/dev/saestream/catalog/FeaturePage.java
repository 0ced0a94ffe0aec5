package dev.saestream.catalog;

import java.util.List;

/**
 * One page of a sorted feature list.
 *
 * @param total    features in the whole list
 * @param offset   position of the first one here
 * @param features this page
 */
public record FeaturePage(long total, int offset, List<FeatureSummary> features) {
    public FeaturePage {
        features = List.copyOf(features);
    }
}
