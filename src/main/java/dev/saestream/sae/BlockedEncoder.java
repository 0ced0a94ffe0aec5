package dev.saestream.sae;

import java.util.concurrent.ForkJoinPool;

/**
 * The pre-activation product in plain Java, shaped for C2's auto-vectoriser: a tile of output
 * columns is accumulated for four rows at a time, four input dimensions per pass with
 * {@code Math.fma}, so each accumulator load and store serves four fused multiply-adds and the
 * weight tile stays in cache across the rows of a block. Blocks of rows run on a fork-join pool.
 */
public final class BlockedEncoder extends MatmulEncoder {
    /** Output columns per tile: four accumulator rows of this width stay in L1. */
    private static final int TILE = 256;

    private final int threads;

    /** {@code threads} 1 runs on the caller's thread. */
    public BlockedEncoder(Sae sae, int threads) {
        super(sae, threads > 1 ? new ForkJoinPool(threads) : null);
        this.threads = threads;
    }

    @Override
    public String name() {
        return "java-blocked-" + threads + "t";
    }

    @Override
    void matmul(float[] a, int n, int d, float[] w, int m, float[] bias, float[] out) {
        multiply(a, n, d, w, m, bias, out);
    }

    /** out[r][j] = bias[j] + Σ_p a[r][p] · w[p][j] for n rows; the kernel the trainer shares. */
    static void multiply(float[] a, int n, int d, float[] w, int m, float[] bias, float[] out) {
        float[] c0 = new float[TILE];
        float[] c1 = new float[TILE];
        float[] c2 = new float[TILE];
        float[] c3 = new float[TILE];
        for (int j0 = 0; j0 < m; j0 += TILE) {
            int tw = Math.min(TILE, m - j0);
            for (int r = 0; r < n; r += 4) {
                int rows = Math.min(4, n - r);
                // rows past n reuse row r's input; their results are not stored
                int i0 = r * d;
                int i1 = (rows > 1 ? r + 1 : r) * d;
                int i2 = (rows > 2 ? r + 2 : r) * d;
                int i3 = (rows > 3 ? r + 3 : r) * d;
                System.arraycopy(bias, j0, c0, 0, tw);
                System.arraycopy(bias, j0, c1, 0, tw);
                System.arraycopy(bias, j0, c2, 0, tw);
                System.arraycopy(bias, j0, c3, 0, tw);
                int p = 0;
                for (; p + 3 < d; p += 4) {
                    float a00 = a[i0 + p], a01 = a[i0 + p + 1], a02 = a[i0 + p + 2], a03 = a[i0 + p + 3];
                    float a10 = a[i1 + p], a11 = a[i1 + p + 1], a12 = a[i1 + p + 2], a13 = a[i1 + p + 3];
                    float a20 = a[i2 + p], a21 = a[i2 + p + 1], a22 = a[i2 + p + 2], a23 = a[i2 + p + 3];
                    float a30 = a[i3 + p], a31 = a[i3 + p + 1], a32 = a[i3 + p + 2], a33 = a[i3 + p + 3];
                    int w0 = p * m + j0;
                    int w1 = w0 + m;
                    int w2 = w1 + m;
                    int w3 = w2 + m;
                    for (int j = 0; j < tw; j++) {
                        float x0 = w[w0 + j], x1 = w[w1 + j], x2 = w[w2 + j], x3 = w[w3 + j];
                        c0[j] = Math.fma(a03, x3, Math.fma(a02, x2, Math.fma(a01, x1, Math.fma(a00, x0, c0[j]))));
                        c1[j] = Math.fma(a13, x3, Math.fma(a12, x2, Math.fma(a11, x1, Math.fma(a10, x0, c1[j]))));
                        c2[j] = Math.fma(a23, x3, Math.fma(a22, x2, Math.fma(a21, x1, Math.fma(a20, x0, c2[j]))));
                        c3[j] = Math.fma(a33, x3, Math.fma(a32, x2, Math.fma(a31, x1, Math.fma(a30, x0, c3[j]))));
                    }
                }
                for (; p < d; p++) {
                    float a0 = a[i0 + p], a1 = a[i1 + p], a2 = a[i2 + p], a3 = a[i3 + p];
                    int wo = p * m + j0;
                    for (int j = 0; j < tw; j++) {
                        float x = w[wo + j];
                        c0[j] = Math.fma(a0, x, c0[j]);
                        c1[j] = Math.fma(a1, x, c1[j]);
                        c2[j] = Math.fma(a2, x, c2[j]);
                        c3[j] = Math.fma(a3, x, c3[j]);
                    }
                }
                System.arraycopy(c0, 0, out, r * m + j0, tw);
                if (rows > 1) {
                    System.arraycopy(c1, 0, out, (r + 1) * m + j0, tw);
                }
                if (rows > 2) {
                    System.arraycopy(c2, 0, out, (r + 2) * m + j0, tw);
                }
                if (rows > 3) {
                    System.arraycopy(c3, 0, out, (r + 3) * m + j0, tw);
                }
            }
        }
    }
}
