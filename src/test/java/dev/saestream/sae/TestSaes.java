package dev.saestream.sae;

import java.util.Map;
import java.util.Random;

/** Seeded random SAEs for tests of the stages that run an SAE (not of the SAE itself). */
public final class TestSaes {
    private TestSaes() {}

    /** An SAE at {@code layer3} of all-minilm-l6-v2 with Gaussian weights (σ 0.05), id {@code test/layer3/<arch>-<dSae>}. */
    public static Sae random(Architecture arch, int dIn, int dSae, int k, long seed) {
        SaeConfig c = new SaeConfig(
                arch,
                dIn,
                dSae,
                k,
                false,
                true,
                Normalization.NONE,
                "float32",
                "all-minilm-l6-v2",
                "layer3",
                256,
                "test",
                "test/layer3/" + arch.name().toLowerCase() + "-" + dSae,
                Map.of());
        SaeWeights w = SaeWeights.zeros(c);
        Random rnd = new Random(seed);
        for (float[] a :
                new float[][] {w.wEnc(), w.bEnc(), w.wDec(), w.bDec(), w.threshold(), w.bGate(), w.bMag(), w.rMag()}) {
            if (a != null) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (0.05 * rnd.nextGaussian());
                }
            }
        }
        return Sae.of(c, w);
    }
}
