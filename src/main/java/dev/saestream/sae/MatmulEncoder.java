package dev.saestream.sae;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * An encoder whose pre-activations come from a dense matrix product written in Java: rows are
 * prepared, multiplied and activated in blocks, and blocks may run on several threads.
 */
abstract class MatmulEncoder implements SaeEncoder {
    /** Rows per block: large enough to reuse each weight tile, small enough to stay in cache. */
    static final int BLOCK_ROWS = 64;

    final Sae sae;
    private final ForkJoinPool pool;

    /** {@code pool} null runs on the calling thread only. */
    MatmulEncoder(Sae sae, ForkJoinPool pool) {
        this.sae = sae;
        this.pool = pool;
    }

    /** out[r][j] = bias[j] + Σ_p a[r][p] · w[p][j], for n rows of width dIn and dSae columns. */
    abstract void matmul(float[] a, int n, int dIn, float[] w, int dSae, float[] bias, float[] out);

    @Override
    public SparseCode[] encode(float[] x, int rows) {
        SaeMath.checkInput(sae, x, rows);
        SparseCode[] codes = new SparseCode[rows];
        int blocks = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
        if (pool == null || blocks == 1) {
            for (int b = 0; b < blocks; b++) {
                encodeBlock(x, b, rows, codes);
            }
        } else {
            pool.submit(() -> IntStream.range(0, blocks).parallel().forEach(b -> encodeBlock(x, b, rows, codes)))
                    .join();
        }
        return codes;
    }

    private void encodeBlock(float[] x, int block, int rows, SparseCode[] codes) {
        SaeConfig c = sae.config();
        int from = block * BLOCK_ROWS;
        int n = Math.min(BLOCK_ROWS, rows - from);
        float[] in = new float[n * c.dIn()];
        SaeMath.prepare(sae, x, from, n, in);
        Activation activation = sae.activation();
        List<Activation.PreActivation> maps = activation.preActivations();
        float[][] pre = new float[maps.size()][];
        for (int i = 0; i < pre.length; i++) {
            Activation.PreActivation map = maps.get(i);
            pre[i] = new float[n * c.dSae()];
            matmul(in, n, c.dIn(), map.weight(), c.dSae(), map.bias(), pre[i]);
        }
        long[] scratch = new long[c.dSae()];
        for (int r = 0; r < n; r++) {
            codes[from + r] = activation.activate(pre, r * c.dSae(), scratch);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
