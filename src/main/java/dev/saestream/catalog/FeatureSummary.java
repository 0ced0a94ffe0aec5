package dev.saestream.catalog;

/**
 * A feature in a list: its statistics without its windows.
 *
 * @param saeId       the SAE
 * @param index       feature index
 * @param version     grows with every change
 * @param activations activating tokens
 * @param documents   activating documents
 * @param density     activations / tokens seen
 * @param max         largest activation
 * @param mean        mean activation where it fired
 */
public record FeatureSummary(
        String saeId,
        int index,
        long version,
        long activations,
        long documents,
        double density,
        float max,
        double mean) {
    static FeatureSummary of(String saeId, int index, FeatureStats st, long tokensSeen) {
        return new FeatureSummary(
                saeId,
                index,
                st.version,
                st.activations,
                st.documents,
                tokensSeen == 0 ? 0 : (double) st.activations / tokensSeen,
                st.max,
                st.activations == 0 ? 0 : FixedPoint.toDouble(st.sumFixed) / st.activations);
    }

    /** Sort orders for pages of features. */
    public enum Sort {
        DENSITY,
        MAX,
        INDEX;

        java.util.Comparator<FeatureSummary> comparator() {
            java.util.Comparator<FeatureSummary> byIndex =
                    java.util.Comparator.comparing(FeatureSummary::saeId).thenComparingInt(FeatureSummary::index);
            return switch (this) {
                case DENSITY ->
                    java.util.Comparator.comparingDouble((FeatureSummary s) -> -s.density())
                            .thenComparing(byIndex);
                case MAX ->
                    java.util.Comparator.comparingDouble((FeatureSummary s) -> -s.max())
                            .thenComparing(byIndex);
                case INDEX -> byIndex;
            };
        }
    }
}
