package dev.saestream.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

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
        long updatedMs) {

    public FeatureState {
        top = top == null ? List.of() : List.copyOf(top);
        reservoir = reservoir == null ? List.of() : List.copyOf(reservoir);
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
