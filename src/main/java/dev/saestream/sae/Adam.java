package dev.saestream.sae;

/**
 * Adam's moments for one parameter array. {@link #tick} once per step, then {@link #update} any
 * ranges of the array: the trainer steps each latent's slice from the thread that gathered its
 * gradient, so the moments are updated in ranges rather than whole.
 */
final class Adam {
    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;

    private final float[] m1;
    private final float[] m2;
    private final float lr;
    private long t;
    private float stepSize;
    private float invC2;

    Adam(int n, float lr) {
        m1 = new float[n];
        m2 = new float[n];
        this.lr = lr;
    }

    /** Starts the next step; the bias corrections are computed once here rather than per element. */
    void tick() {
        t++;
        stepSize = (float) (lr / (1 - Math.pow(BETA1, t)));
        invC2 = (float) (1 / (1 - Math.pow(BETA2, t)));
    }

    /** w[wo + i] −= lr · m̂ / (√v̂ + ε) for g[go + i], i &lt; n. */
    void update(float[] w, int wo, float[] g, int go, int n) {
        float s = stepSize;
        float c2 = invC2;
        for (int i = 0; i < n; i++) {
            float gi = g[go + i];
            float a = BETA1 * m1[wo + i] + (1 - BETA1) * gi;
            float v = BETA2 * m2[wo + i] + (1 - BETA2) * gi * gi;
            m1[wo + i] = a;
            m2[wo + i] = v;
            w[wo + i] -= s * a / ((float) Math.sqrt(v * c2) + EPS);
        }
    }
}
