package dev.saestream.sae;

/** The plain encoder every fast one is held to: a naive product accumulated in double. */
public final class ReferenceEncoder extends MatmulEncoder {
    public ReferenceEncoder(Sae sae) {
        super(sae, null);
    }

    @Override
    public String name() {
        return "java-reference";
    }

    @Override
    void matmul(float[] a, int n, int dIn, float[] w, int dSae, float[] bias, float[] out) {
        double[] acc = new double[dSae];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < dSae; j++) {
                acc[j] = bias[j];
            }
            for (int p = 0; p < dIn; p++) {
                double v = a[r * dIn + p];
                for (int j = 0; j < dSae; j++) {
                    acc[j] += v * w[p * dSae + j];
                }
            }
            for (int j = 0; j < dSae; j++) {
                out[r * dSae + j] = (float) acc[j];
            }
        }
    }
}
