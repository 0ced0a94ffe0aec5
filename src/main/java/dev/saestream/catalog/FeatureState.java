package dev.saestream.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The catalogue's view of one feature, as written to {@code saestream.features}: statistics over
 * everything seen so far, the exact top-k windows and a uniform sample of activating windows.
 *
 * @param saeId       the SAE this feature belongs to
 * @param index       feature index in the SAE
 * @param version     grows with every change of this state
 * @param tokensSeen  tokens the catalogue has seen in total (all features), for density
 * @param activations tokens on which this feature fired
 * @param documents   documents in which it fired
 * @param windows     activating windows seen (the population the reservoir samples from)
 * @param sum         sum of its activation values
 * @param max         largest activation value
 * @param histogram   counts of activation values in log-spaced bins
 * @param top         the top-k windows by peak activation, in {@link FeatureWindow#BY_ACTIVATION_DESC} order
 * @param reservoir   a uniform random sample (without replacement) of activating windows
 * @param updatedMs   wall-clock time of the last change, epoch millis
 * @param facet       activations by the value of one document metadata field ({@code catalog.facet}); null
 *                    when none is configured
 */
public record FeatureState(
        String saeId,
        int index,
        long version,
        long tokensSeen,
        long activations,
        long documents,
        long windows,
        double sum,
        float max,
        ActivationHistogram histogram,
        List<FeatureWindow> top,
        List<FeatureWindow> reservoir,
        long updatedMs,
        Facet facet) {

    public FeatureState {
        top = top == null ? List.of() : List.copyOf(top);
        reservoir = reservoir == null ? List.of() : List.copyOf(reservoir);
    }

    /** A state without a facet. */
    public FeatureState(
            String saeId,
            int index,
            long version,
            long tokensSeen,
            long activations,
            long documents,
            long windows,
            double sum,
            float max,
            ActivationHistogram histogram,
            List<FeatureWindow> top,
            List<FeatureWindow> reservoir,
            long updatedMs) {
        this(
                saeId,
                index,
                version,
                tokensSeen,
                activations,
                documents,
                windows,
                sum,
                max,
                histogram,
                top,
                reservoir,
                updatedMs,
                null);
    }

    /**
     * A feature's activations counted by the value of one metadata field of their documents.
     *
     * @param field  the metadata field, e.g. {@code lang}
     * @param counts activations per value: the most frequent values exactly, the rest summed under {@link #OTHER}
     *               (documents without the field count under {@link #MISSING})
     */
    public record Facet(String field, Map<String, Long> counts) {
        /** The values beyond the kept ones. */
        public static final String OTHER = "other";
        /** Documents without the field. */
        public static final String MISSING = "none";

        public Facet {
            if (field == null || field.isBlank()) {
                throw new IllegalArgumentException("facet field must be given");
            }
            counts = counts == null
                    ? Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(counts));
        }
    }

    /**
     * This state with the figures of a {@code saestream.feature-stats} record when they are newer, its
     * windows kept (they are the latest full state's); else this state.
     */
    public FeatureState withFigures(FeatureStatistics s) {
        if (!s.saeId().equals(saeId) || s.index() != index) {
            throw new IllegalArgumentException("statistics of " + s.key() + " for " + key());
        }
        return s.version() <= version ? this : of(s, top, reservoir);
    }

    /** This state without its reservoir: what needs only figures and top windows, at a fraction of the size. */
    public FeatureState withoutReservoir() {
        return new FeatureState(
                saeId,
                index,
                version,
                tokensSeen,
                activations,
                documents,
                windows,
                sum,
                max,
                histogram,
                top,
                List.of(),
                updatedMs,
                facet);
    }

    /** A state of these statistics and windows. */
    public static FeatureState of(FeatureStatistics s, List<FeatureWindow> top, List<FeatureWindow> reservoir) {
        return new FeatureState(
                s.saeId(),
                s.index(),
                s.version(),
                s.tokensSeen(),
                s.activations(),
                s.documents(),
                s.windows(),
                s.sum(),
                s.max(),
                s.histogram(),
                top,
                reservoir,
                s.updatedMs(),
                s.facet());
    }

    /** The topic key: {@code saeId/index}. */
    public String key() {
        return FeatureKey.of(saeId, index);
    }

    /** Fraction of all tokens seen on which this feature fired. */
    @JsonProperty("density")
    public double density() {
        return tokensSeen == 0 ? 0 : (double) activations / tokensSeen;
    }

    /** Mean activation over the tokens where it fired. */
    @JsonProperty("mean")
    public double mean() {
        return activations == 0 ? 0 : sum / activations;
    }
}
