package dev.saestream.sae;

/** The float32 vector kernels of the trainer's backward pass, over ranges of flat arrays. */
final class VectorOps {
    private VectorOps() {}

    /** y[yo + p] += a · x[xo + p], p &lt; n. */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int p = 0; p < n; p++) {
            y[yo + p] += a * x[xo + p];
        }
    }

    /** Σ a·b with four partial sums, which keeps several multiply-adds in flight. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int p = 0;
        for (; p + 3 < n; p += 4) {
            s0 += a[ao + p] * b[bo + p];
            s1 += a[ao + p + 1] * b[bo + p + 1];
            s2 += a[ao + p + 2] * b[bo + p + 2];
            s3 += a[ao + p + 3] * b[bo + p + 3];
        }
        for (; p < n; p++) {
            s0 += a[ao + p] * b[bo + p];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
