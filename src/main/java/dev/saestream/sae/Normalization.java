package dev.saestream.sae;

import java.util.Arrays;

/**
 * SAELens's {@code normalize_activations} modes, as its inference SAE applies them at run time.
 * The per-token modes keep statistics of the input that decoding needs to undo the scaling.
 */
public enum Normalization {
    /** Identity. */
    NONE("none"),
    /**
     * Identity at run time: SAELens folds the dataset-wide scale into the weights when it is known
     * (and writes "none"), so an unfolded SAE runs on raw activations, as SAELens's encode does.
     */
    EXPECTED_AVERAGE_ONLY_IN("expected_average_only_in"),
    /** x · √d_in / ‖x‖ on the way in; divided by the same factor on the way out. */
    CONSTANT_NORM_RESCALE("constant_norm_rescale"),
    /** (x − μ) / (σ + 1e-5) with σ the unbiased standard deviation; out: y · σ + μ. */
    LAYER_NORM("layer_norm");

    /** SAELens's epsilon for layer_norm, added to the standard deviation on the way in only. */
    public static final float LAYER_NORM_EPS = 1e-5f;

    private final String cfgName;

    Normalization(String cfgName) {
        this.cfgName = cfgName;
    }

    public String cfgName() {
        return cfgName;
    }

    /** Whether decoding needs the original input's statistics to undo this normalisation. */
    public boolean perToken() {
        return this == CONSTANT_NORM_RESCALE || this == LAYER_NORM;
    }

    public static Normalization fromCfg(String name) {
        if (name == null) {
            return NONE;
        }
        for (Normalization n : values()) {
            if (n.cfgName.equals(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unsupported normalize_activations '" + name + "'; supported: "
                + Arrays.toString(
                        Arrays.stream(values()).map(Normalization::cfgName).toArray()));
    }
}
