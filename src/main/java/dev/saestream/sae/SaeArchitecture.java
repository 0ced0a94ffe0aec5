package dev.saestream.sae;

import java.util.List;

/**
 * One SAE architecture, as SAELens names it in {@code cfg.json}: the parameters it adds to
 * W_enc, W_dec and b_dec, and how pre-activations become a sparse code. Everything that differs
 * between architectures is here, so that one class (one file) adds one. The built-ins are the
 * constants of {@link Architecture}; {@link SaeArchitectures#register} adds another, after which
 * SAELens directories naming it load, encode (in Java and in ONNX Runtime) and save.
 */
public interface SaeArchitecture {
    /** The {@code architecture} value in cfg.json. */
    String cfgName();

    /**
     * The parameters besides W_enc, W_dec and b_dec, by their SAELens tensor names, each one
     * value per feature ([d_sae]), in the order they are saved. Loading and {@link SaeWeights}
     * refuse an SAE that lacks one.
     */
    List<String> parameters();

    /**
     * Whether cfg.json's {@code k} caps the active features per token, and {@code
     * rescale_acts_by_decoder_norm} applies, as for topk; the others have no fixed L0, so their
     * codes are cut at a kMax and the tokens above it counted.
     */
    default boolean usesK() {
        return false;
    }

    /**
     * The activation of one SAE, with whatever it precomputes from the weights, which have been
     * checked against {@link #parameters()}. {@code decoderNorms} is ‖W_dec row j‖ per feature.
     */
    Activation bind(SaeConfig config, SaeWeights weights, float[] decoderNorms);
}
