package dev.saestream.sae;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The architectures SAELens defines, by their {@code cfg.json} name: the built-ins that {@link
 * SaeArchitectures} starts with. Each constant is its architecture's class; see those for the
 * formulas.
 */
public enum Architecture implements SaeArchitecture {
    /** ReLU(x W_enc + b_enc). */
    STANDARD(new StandardArchitecture()),
    /** ReLU of the k largest pre-activations, the rest zero (optionally ranked by pre · ‖W_dec row‖). */
    TOPK(new TopKArchitecture()),
    /** pre where pre &gt; max(threshold, 0), else zero. */
    JUMPRELU(new JumpReluArchitecture()),
    /** [x W_enc + b_gate &gt; 0] · ReLU(x (W_enc ∘ exp(r_mag)) + b_mag). */
    GATED(new GatedArchitecture());

    private final SaeArchitecture definition;

    Architecture(SaeArchitecture definition) {
        this.definition = definition;
    }

    /** Also its name in config files and flags, so that {@code train.architecture: topk} reads as in cfg.json. */
    @JsonValue
    @Override
    public String cfgName() {
        return definition.cfgName();
    }

    @Override
    public List<String> parameters() {
        return definition.parameters();
    }

    @Override
    public boolean usesK() {
        return definition.usesK();
    }

    @Override
    public Activation bind(SaeConfig config, SaeWeights weights, float[] decoderNorms) {
        return definition.bind(config, weights, decoderNorms);
    }

    /** The built-in named {@code name} (case-insensitive; absent means standard, as in cfg.json). */
    @JsonCreator
    public static Architecture fromCfg(String name) {
        String n = name == null ? "standard" : name.toLowerCase(Locale.ROOT);
        for (Architecture a : values()) {
            if (a.cfgName().equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported SAE architecture '" + name + "'; supported: "
                + Arrays.toString(
                        Arrays.stream(values()).map(Architecture::cfgName).toArray()));
    }
}
