package dev.saestream.sae;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * @param extra     the [d_sae] parameters of registered architectures, by SAELens tensor name
 */
public record SaeWeights(
        float[] wEnc,
        float[] bEnc,
        float[] wDec,
        float[] bDec,
        float[] threshold,
        float[] bGate,
        float[] bMag,
        float[] rMag,
        Map<String, float[]> extra) {

    public SaeWeights {
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** The built-in architectures' parameters. */
    public SaeWeights(
            float[] wEnc,
            float[] bEnc,
            float[] wDec,
            float[] bDec,
            float[] threshold,
            float[] bGate,
            float[] bMag,
            float[] rMag) {
        this(wEnc, bEnc, wDec, bDec, threshold, bGate, bMag, rMag, Map.of());
    }

    /** Weights from the per-feature parameters by SAELens name; names the built-ins do not know go to {@link #extra}. */
    public static SaeWeights of(float[] wEnc, float[] wDec, float[] bDec, Map<String, float[]> parameters) {
        Map<String, float[]> rest = new LinkedHashMap<>(parameters);
        return new SaeWeights(
                wEnc,
                rest.remove("b_enc"),
                wDec,
                bDec,
                rest.remove("threshold"),
                rest.remove("b_gate"),
                rest.remove("b_mag"),
                rest.remove("r_mag"),
                rest);
    }

    /** Zero-filled parameters of the right shapes for {@code config}. */
    public static SaeWeights zeros(SaeConfig config) {
        int dIn = config.dIn();
        int dSae = config.dSae();
        Map<String, float[]> parameters = new LinkedHashMap<>();
        for (String name : config.architecture().parameters()) {
            parameters.put(name, new float[dSae]);
        }
        return of(new float[dIn * dSae], new float[dSae * dIn], new float[dIn], parameters);
    }

    /** The per-feature parameter SAELens calls {@code name} (b_enc, threshold, …), or null when absent. */
    public float[] parameter(String name) {
        return switch (name) {
            case "b_enc" -> bEnc;
            case "threshold" -> threshold;
            case "b_gate" -> bGate;
            case "b_mag" -> bMag;
            case "r_mag" -> rMag;
            default -> extra.get(name);
        };
    }

    /** Throws with the parameter's name unless every array the architecture needs has the right length. */
    void check(SaeConfig config) {
        int dIn = config.dIn();
        int dSae = config.dSae();
        require("W_enc", wEnc, (long) dIn * dSae, config);
        require("W_dec", wDec, (long) dSae * dIn, config);
        require("b_dec", bDec, dIn, config);
        for (String name : config.architecture().parameters()) {
            require(name, parameter(name), dSae, config);
        }
    }

    private static void require(String name, float[] a, long n, SaeConfig config) {
        if (a == null) {
            throw new IllegalArgumentException(
                    "a " + config.architecture().cfgName() + " SAE needs the parameter " + name);
        }
        if (a.length != n) {
            throw new IllegalArgumentException("parameter " + name + " has " + a.length + " values but d_in "
                    + config.dIn() + " and d_sae " + config.dSae() + " need " + n);
        }
    }
}
