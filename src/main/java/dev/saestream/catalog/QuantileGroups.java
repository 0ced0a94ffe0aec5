package dev.saestream.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * A feature's activating windows grouped by the quantile of their peak activation, as
 * SAEDashboard and Neuronpedia show them: the reservoir is a uniform sample of every activating
 * window, so its empirical quantiles are the feature's, and a group shows what the feature does at
 * that strength, not only at its peak.
 */
public final class QuantileGroups {
    private QuantileGroups() {}

    /**
     * One group: windows whose peak lies in {@code [low, high]}, strongest first.
     *
     * @param group   0 for the weakest group
     * @param low     smallest peak activation in the group
     * @param high    largest peak activation in the group
     * @param windows the group's windows in {@link FeatureWindow#BY_ACTIVATION_DESC} order
     */
    public record Group(int group, float low, float high, List<FeatureWindow> windows) {
        public Group {
            windows = List.copyOf(windows);
        }
    }

    /**
     * Splits {@code windows} into at most {@code groups} groups of (nearly) equal size by peak
     * activation, weakest group first; sizes differ by at most one, larger groups at the top.
     */
    public static List<Group> of(List<FeatureWindow> windows, int groups) {
        if (groups <= 0) {
            throw new IllegalArgumentException("groups must be positive, got " + groups);
        }
        List<FeatureWindow> ascending = new ArrayList<>(windows);
        ascending.sort(FeatureWindow.BY_ACTIVATION_DESC.reversed());
        int n = ascending.size();
        int count = Math.min(groups, n);
        List<Group> out = new ArrayList<>(count);
        int from = 0;
        for (int g = 0; g < count; g++) {
            // the first n % count groups from the top get one more window
            int size = n / count + (count - g <= n % count ? 1 : 0);
            List<FeatureWindow> part = new ArrayList<>(ascending.subList(from, from + size));
            part.sort(FeatureWindow.BY_ACTIVATION_DESC);
            out.add(new Group(g, part.get(part.size() - 1).max(), part.get(0).max(), part));
            from += size;
        }
        return out;
    }
}
