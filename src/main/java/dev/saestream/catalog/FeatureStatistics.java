package dev.saestream.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A feature's statistics without its windows, as written to {@code saestream.feature-stats}:
 * between two full states on {@code saestream.features}, a changed feature's figures reach
 * consumers at a steady pace for a few hundred bytes instead of a 60–100 KB state. The fields are
 * those of {@link FeatureState} with the same names; the newer version of the two topics wins.
 *
 * @param saeId       the SAE this feature belongs to
 * @param index       feature index in the SAE
 * @param version     the feature's version these figures are of
 * @param tokensSeen  tokens the catalogue had seen in total (all features)
 * @param activations tokens on which this feature fired
 * @param documents   documents in which it fired
 * @param windows     activating windows seen
 * @param sum         sum of its activation values
 * @param max         largest activation value
 * @param histogram   counts of activation values in log-spaced bins
 * @param updatedMs   wall-clock time of the last change, epoch millis
 * @param facet       activations by the value of one document metadata field; null without one
 */
public record FeatureStatistics(
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
        long updatedMs,
        FeatureState.Facet facet) {

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
