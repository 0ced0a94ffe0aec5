package dev.saestream.sae;

/**
 * An SAE's parameters, row-major float32, in SAELens's orientation. Arrays an architecture does
 * not use are null.
 *
 * @param wEnc      [d_in × d_sae]
 * @param bEnc      [d_sae] (standard, topk, jumprelu)
 * @param wDec      [d_sae × d_in]
 * @param bDec      [d_in]
 * @param threshold [d_sae] (jumprelu)
 * @param bGate     [d_sae] (gated)
 * @param bMag      [d_sae] (gated)
 * @param rMag      [d_sae] (gated)
 */
public record SaeWeights(float[] wEnc, float[] bEnc, float[] wDec, float[] bDec, float[] threshold,
                         float[] bGate, float[] bMag, float[] rMag) {

    /** Zero-filled parameters of the right shapes for {@code config}. */
    public static SaeWeights zeros(SaeConfig config) {
        int dIn = config.dIn();
        int dSae = config.dSae();
        boolean gated = config.architecture() == Architecture.GATED;
        return new SaeWeights(new float[dIn * dSae], gated ? null : new float[dSae], new float[dSae * dIn],
                new float[dIn], config.architecture() == Architecture.JUMPRELU ? new float[dSae] : null,
                gated ? new float[dSae] : null, gated ? new float[dSae] : null, gated ? new float[dSae] : null);
    }

    /** Throws with the parameter's name unless every array the architecture needs has the right length. */
    void check(SaeConfig config) {
        int dIn = config.dIn();
        int dSae = config.dSae();
        require("W_enc", wEnc, (long) dIn * dSae, config);
        require("W_dec", wDec, (long) dSae * dIn, config);
        require("b_dec", bDec, dIn, config);
        switch (config.architecture()) {
            case STANDARD, TOPK -> require("b_enc", bEnc, dSae, config);
            case JUMPRELU -> {
                require("b_enc", bEnc, dSae, config);
                require("threshold", threshold, dSae, config);
            }
            case GATED -> {
                require("b_gate", bGate, dSae, config);
                require("b_mag", bMag, dSae, config);
                require("r_mag", rMag, dSae, config);
            }
        }
    }

    private static void require(String name, float[] a, long n, SaeConfig config) {
        if (a == null) {
            throw new IllegalArgumentException("a " + config.architecture().cfgName() + " SAE needs the parameter " + name);
        }
        if (a.length != n) {
            throw new IllegalArgumentException("parameter " + name + " has " + a.length + " values but d_in "
                    + config.dIn() + " and d_sae " + config.dSae() + " need " + n);
        }
    }
}
