package dev.saestream.sae;

import java.util.Arrays;
import java.util.Locale;

/** The SAE activation schemes SAELens defines, by their {@code cfg.json} name. */
public enum Architecture {
    /** ReLU(x W_enc + b_enc). */
    STANDARD("standard"),
    /** ReLU of the k largest pre-activations, the rest zero (optionally ranked by pre · ‖W_dec row‖). */
    TOPK("topk"),
    /** pre where pre &gt; max(threshold, 0), else zero. */
    JUMPRELU("jumprelu"),
    /** [x W_enc + b_gate &gt; 0] · ReLU(x (W_enc ∘ exp(r_mag)) + b_mag). */
    GATED("gated");

    private final String cfgName;

    Architecture(String cfgName) {
        this.cfgName = cfgName;
    }

    public String cfgName() {
        return cfgName;
    }

    public static Architecture fromCfg(String name) {
        String n = name == null ? "standard" : name.toLowerCase(Locale.ROOT);
        for (Architecture a : values()) {
            if (a.cfgName.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported SAE architecture '" + name + "'; supported: "
                + Arrays.toString(Arrays.stream(values()).map(Architecture::cfgName).toArray()));
    }
}
