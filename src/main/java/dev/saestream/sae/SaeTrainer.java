package dev.saestream.sae;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an SAE on activations held in memory, in the manner of EleutherAI's sparsify and
 * SAELens: inputs scaled so that E‖x‖ = √d_in (SAELens's expected_average_only_in, folded into
 * the weights at the end), b_dec initialised to the data's geometric median, decoder rows kept at
 * unit norm (the gradient component along each row removed before every step), Adam. TopK adds
 * the AuxK loss: the top d_in/2 dead latents reconstruct the residual. Standard is ReLU with an
 * L1 penalty on the activations. The forward product runs in ONNX Runtime; gradients are written
 * out by hand, using the codes' sparsity.
 */
public final class SaeTrainer {
    private static final Logger log = LoggerFactory.getLogger(SaeTrainer.class);
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double ADAM_EPS = 1e-8;
    /** Rows used for the input scale and the geometric median. */
    private static final int INIT_SAMPLE = 4096;
    /**
     * Below this many encoder weights a Java product beats ONNX Runtime, whose per-call cost
     * (copying the weights in as an input) then dominates.
     */
    private static final long ONNX_MIN_WEIGHTS = 1L << 16;
    /** Tokens of the final pass that measures each feature's firing rate. */
    private static final int SPARSITY_TOKENS = 100_000;

    /** Figures of one training step (batch FVU, mean active features, fraction of latents dead). */
    public record StepStats(long step, long tokens, double fvu, double l0, double deadFraction, double loss) {}

    /** Called after every step, from the training thread. */
    @FunctionalInterface
    public interface Listener {
        void onStep(StepStats stats);
    }

    /** The trained SAE and how long its training steps took (initialisation and the final sparsity pass excluded). */
    public record Result(Sae sae, StepStats last, double seconds) {
        public double tokensPerSecond() {
            return last.tokens() / seconds;
        }
    }

    private SaeTrainer() {}

    /**
     * Trains on {@code x} ([rows × dIn], row-major) and returns an SAE whose cfg.json metadata
     * records {@code source}.
     */
    public static Result train(float[] x, int rows, int dIn, TrainConfig cfg, SaeProvenance source, Listener listener) {
        if (rows <= 0 || x.length != (long) rows * dIn) {
            throw new IllegalArgumentException("training data has " + x.length + " values, not " + rows + " rows of " + dIn);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("training activation row " + i / dIn + " has a non-finite value; refusing to train");
            }
        }
        Run run = new Run(x, rows, dIn, cfg);
        StepStats last = null;
        long start = System.nanoTime();
        long steps = (cfg.tokens() + cfg.batchSize() - 1) / cfg.batchSize();
        for (long s = 1; s <= steps; s++) {
            last = run.step(s);
            if (listener != null) {
                listener.onStep(last);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Sae sae = run.finish(source == null ? SaeProvenance.UNKNOWN : source);
        log.info("trained {} on {} tokens in {} s: FVU {}, L0 {}, dead {}", sae.id(), last.tokens(),
                String.format("%.1f", seconds), String.format("%.4f", last.fvu()), String.format("%.1f", last.l0()),
                String.format("%.4f", last.deadFraction()));
        return new Result(sae, last, seconds);
    }

    /** The state of one training run. Parameters live in the scaled input space until {@link #finish}. */
    private static final class Run {
        final float[] x;
        final int rows;
        final int d;
        final int m;
        final TrainConfig cfg;
        final boolean topk;
        final float scale;
        final Random rnd;
        final OnnxMatmul matmul;
        // parameters: W_enc [d × m], b_enc [m], W_dec [m × d], b_dec [d]; W_enc transposed for the backward pass
        final float[] wEnc;
        final float[] bEnc;
        final float[] wDec;
        final float[] bDec;
        final float[] wEncT;
        final Adam aEnc;
        final Adam aBEnc;
        final Adam aDec;
        final Adam aBDec;
        final long[] lastFired;
        int[] order;
        int cursor;
        long tokens;

        Run(float[] x, int rows, int d, TrainConfig cfg) {
            this.x = x;
            this.rows = rows;
            this.d = d;
            this.m = cfg.width();
            this.cfg = cfg;
            this.topk = cfg.arch() == Architecture.TOPK;
            this.rnd = new Random(cfg.seed());
            this.matmul = (long) d * m >= ONNX_MIN_WEIGHTS ? new OnnxMatmul(cfg.threads()) : null;
            int[] sample = sample(rows, Math.min(rows, INIT_SAMPLE));
            this.scale = inputScale(sample);
            wEnc = new float[d * m];
            bEnc = new float[m];
            wDec = new float[m * d];
            bDec = geometricMedian(sample);
            wEncT = new float[m * d];
            for (int j = 0; j < m; j++) {
                double norm = 0;
                for (int p = 0; p < d; p++) {
                    float v = (float) rnd.nextGaussian();
                    wDec[j * d + p] = v;
                    norm += v * v;
                }
                float inv = (float) (1 / Math.sqrt(norm));
                for (int p = 0; p < d; p++) {
                    wDec[j * d + p] *= inv;
                    wEnc[p * m + j] = wDec[j * d + p];
                }
            }
            double lr = cfg.effectiveLearningRate();
            aEnc = new Adam(wEnc.length, lr);
            aBEnc = new Adam(m, lr);
            aDec = new Adam(wDec.length, lr);
            aBDec = new Adam(d, lr);
            lastFired = new long[m];
            log.debug("training {} x {} -> {}: input scale {}, lr {}", rows, d, m, scale, lr);
        }

        /** √d / mean ‖x‖, so that scaled inputs have E‖x‖ = √d. */
        private float inputScale(int[] sample) {
            double sum = 0;
            for (int r : sample) {
                double s = 0;
                for (int p = 0; p < d; p++) {
                    s += (double) x[r * d + p] * x[r * d + p];
                }
                sum += Math.sqrt(s);
            }
            double mean = sum / sample.length;
            return mean == 0 ? 1f : (float) (Math.sqrt(d) / mean);
        }

        /** Weiszfeld's iteration for the point minimising the summed distance to the sample (scaled). */
        private float[] geometricMedian(int[] sample) {
            double[] y = new double[d];
            for (int r : sample) {
                for (int p = 0; p < d; p++) {
                    y[p] += x[r * d + p] * scale / sample.length;
                }
            }
            for (int it = 0; it < 30; it++) {
                double[] num = new double[d];
                double den = 0;
                for (int r : sample) {
                    double dist = 0;
                    for (int p = 0; p < d; p++) {
                        double v = x[r * d + p] * scale - y[p];
                        dist += v * v;
                    }
                    double w = 1 / Math.max(Math.sqrt(dist), 1e-8);
                    den += w;
                    for (int p = 0; p < d; p++) {
                        num[p] += w * x[r * d + p] * scale;
                    }
                }
                for (int p = 0; p < d; p++) {
                    y[p] = num[p] / den;
                }
            }
            float[] out = new float[d];
            for (int p = 0; p < d; p++) {
                out[p] = (float) y[p];
            }
            return out;
        }

        private int[] sample(int n, int count) {
            int[] all = IntStream.range(0, n).toArray();
            for (int i = 0; i < count; i++) {
                int j = i + rnd.nextInt(n - i);
                int t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
            return Arrays.copyOf(all, count);
        }

        private int nextRow() {
            if (order == null || cursor == rows) {
                order = sample(rows, rows);
                cursor = 0;
            }
            return order[cursor++];
        }

        StepStats step(long stepNo) {
            int b = cfg.batchSize();
            float[] xs = new float[b * d];
            float[] xc = new float[b * d];
            for (int i = 0; i < b; i++) {
                int r = nextRow();
                for (int p = 0; p < d; p++) {
                    xs[i * d + p] = x[r * d + p] * scale;
                    xc[i * d + p] = xs[i * d + p] - bDec[p];
                }
            }
            float[] pre = preActivations(xc, b);
            for (int j = 0; j < m; j++) {
                for (int p = 0; p < d; p++) {
                    wEncT[j * d + p] = wEnc[p * m + j];
                }
            }
            tokens += b;
            // dead: no firing for deadAfterTokens tokens (none can be dead before that many were seen)
            boolean[] dead = new boolean[m];
            int numDead = 0;
            for (int j = 0; j < m; j++) {
                if (tokens - lastFired[j] > cfg.deadAfterTokens()) {
                    dead[j] = true;
                    numDead++;
                }
            }
            float[] gWEncT = new float[m * d];
            float[] gBEnc = new float[m];
            float[] gWDec = new float[m * d];
            float[] gBDec = new float[d];
            float[] xhat = new float[d];
            float[] gx = new float[d];
            float[] gxc = new float[d];
            long[] scratch = new long[m];
            double errSq = 0;
            double l1 = 0;
            double auxLoss = 0;
            long active = 0;
            int kAux = Math.min(d / 2, numDead);
            double auxScale = Math.min(numDead / (double) Math.max(1, d / 2), 1.0);
            double[] mean = new double[d];
            for (int i = 0; i < b; i++) {
                for (int p = 0; p < d; p++) {
                    mean[p] += xs[i * d + p] / b;
                }
            }
            double totalVar = 0;
            for (int i = 0; i < b; i++) {
                int po = i * m;
                int n = select(pre, po, scratch);
                active += n;
                // decode: x̂ = b_dec + Σ a_j W_dec[j]
                System.arraycopy(bDec, 0, xhat, 0, d);
                for (int t = 0; t < n; t++) {
                    int j = (int) scratch[t];
                    float a = pre[po + j];
                    lastFired[j] = tokens;
                    l1 += a;
                    axpy(a, wDec, j * d, xhat, 0, d);
                }
                // loss Σ‖x̂ − x‖² / B: ∂/∂x̂ = 2 (x̂ − x) / B
                for (int p = 0; p < d; p++) {
                    float e = xhat[p] - xs[i * d + p];
                    errSq += e * e;
                    double dev = xs[i * d + p] - mean[p];
                    totalVar += dev * dev;
                    gx[p] = 2f * e / b;
                    gBDec[p] += gx[p];
                }
                Arrays.fill(gxc, 0f);
                float l1Grad = topk ? 0f : (float) (cfg.l1Coefficient() / b);
                for (int t = 0; t < n; t++) {
                    int j = (int) scratch[t];
                    float a = pre[po + j];
                    axpy(a, gx, 0, gWDec, j * d, d);
                    float g = dot(gx, 0, wDec, j * d, d) + l1Grad;
                    backEncoder(g, j, i, xc, gWEncT, gBEnc, gxc);
                }
                if (topk && kAux > 0 && cfg.auxKCoefficient() > 0) {
                    auxLoss += auxK(pre, po, dead, kAux, auxScale, xs, i, xhat, xc, gWDec, gWEncT, gBEnc, gxc, scratch, b);
                }
                for (int p = 0; p < d; p++) {
                    gBDec[p] -= gxc[p];
                }
            }
            removeParallelComponent(gWDec);
            aEnc.stepTransposed(wEnc, gWEncT, d, m);
            aBEnc.step(bEnc, gBEnc);
            aDec.step(wDec, gWDec);
            aBDec.step(bDec, gBDec);
            normaliseDecoder();
            double loss = errSq / b + (topk ? auxLoss : cfg.l1Coefficient() * l1 / b);
            return new StepStats(stepNo, tokens, totalVar == 0 ? 0 : errSq / totalVar, active / (double) b,
                    numDead / (double) m, loss);
        }

        /** Active latents of one row into scratch (as indices): the k largest positive for topk, else all positive. */
        private int select(float[] pre, int po, long[] scratch) {
            int n = 0;
            if (!topk) {
                for (int j = 0; j < m; j++) {
                    if (pre[po + j] > 0f) {
                        scratch[n++] = j;
                    }
                }
                return n;
            }
            // the inference selection, so training and inference agree on ties
            n = SaeMath.topK(pre, po, m, cfg.k(), null, scratch);
            for (int t = 0; t < n; t++) {
                scratch[t] = (int) scratch[t];
            }
            return n;
        }

        /**
         * AuxK (SAELens's form): the top kAux dead latents by pre-activation reconstruct the
         * residual x − x̂ through W_dec without bias; returns this row's share of the loss.
         */
        private double auxK(float[] pre, int po, boolean[] dead, int kAux, double auxScale, float[] xs, int i,
                            float[] xhat, float[] xc, float[] gWDec, float[] gWEncT, float[] gBEnc, float[] gxc,
                            long[] scratch, int b) {
            int n = 0;
            for (int j = 0; j < m; j++) {
                if (dead[j]) {
                    // order by value descending; values may be negative, so sort on the raw float order
                    scratch[n++] = ((long) ~sortableBits(pre[po + j]) << 32) | j;
                }
            }
            Arrays.sort(scratch, 0, n);
            n = Math.min(n, kAux);
            float[] ehat = new float[d];
            for (int t = 0; t < n; t++) {
                int j = (int) (scratch[t] & 0xffffffffL);
                axpy(pre[po + j], wDec, j * d, ehat, 0, d);
            }
            double coef = cfg.auxKCoefficient() * auxScale;
            float[] g = new float[d];
            double loss = 0;
            for (int p = 0; p < d; p++) {
                float diff = ehat[p] - (xs[i * d + p] - xhat[p]);
                loss += diff * diff;
                g[p] = (float) (2 * coef * diff / b);
            }
            for (int t = 0; t < n; t++) {
                int j = (int) (scratch[t] & 0xffffffffL);
                axpy(pre[po + j], g, 0, gWDec, j * d, d);
                backEncoder(dot(g, 0, wDec, j * d, d), j, i, xc, gWEncT, gBEnc, gxc);
            }
            return coef * loss / b;
        }

        /** Float bits mapped to ints that order like the floats, negative values included. */
        private static int sortableBits(float v) {
            int bits = Float.floatToRawIntBits(v);
            return bits >= 0 ? bits : bits ^ 0x7fffffff;
        }

        /** Back through pre = xc W_enc + b_enc for one (row, latent) gradient g. */
        private void backEncoder(float g, int j, int i, float[] xc, float[] gWEncT, float[] gBEnc, float[] gxc) {
            gBEnc[j] += g;
            axpy(g, xc, i * d, gWEncT, j * d, d);
            axpy(g, wEncT, j * d, gxc, 0, d);
        }

        private float[] preActivations(float[] xc, int b) {
            float[] pre = new float[b * m];
            if (matmul != null) {
                matmul.multiply(xc, b, d, wEnc, m, bEnc, pre);
            } else {
                BlockedEncoder.multiply(xc, b, d, wEnc, m, bEnc, pre);
            }
            return pre;
        }

        /** Keeps steps tangent to the unit sphere of each decoder row: g −= (g · w) w. */
        private void removeParallelComponent(float[] g) {
            for (int j = 0; j < m; j++) {
                float along = dot(g, j * d, wDec, j * d, d);
                axpy(-along, wDec, j * d, g, j * d, d);
            }
        }

        private void normaliseDecoder() {
            for (int j = 0; j < m; j++) {
                float n = (float) Math.sqrt(dot(wDec, j * d, wDec, j * d, d));
                if (n > 0) {
                    for (int p = 0; p < d; p++) {
                        wDec[j * d + p] /= n;
                    }
                }
            }
        }

        /** The trained SAE in the caller's units: the input scale folded into the weights, as SAELens does. */
        Sae finish(SaeProvenance source) {
            if (matmul != null) {
                matmul.close();
            }
            SaeConfig c = new SaeConfig(cfg.arch(), d, m, topk ? cfg.k() : 0, false, true, Normalization.NONE, "float32",
                    source.modelName(), source.hookName(), source.contextSize(), source.datasetPath(), source.id(), null);
            float[] we = wEnc.clone();
            float[] wd = wDec.clone();
            float[] bd = bDec.clone();
            for (int i = 0; i < we.length; i++) {
                we[i] *= scale;
            }
            for (int i = 0; i < wd.length; i++) {
                wd[i] /= scale;
            }
            for (int i = 0; i < bd.length; i++) {
                bd[i] /= scale;
            }
            Sae sae = Sae.of(c, new SaeWeights(we, bEnc.clone(), wd, bd, null, null, null, null));
            return Sae.of(c, sae.weights(), logFiringRates(sae));
        }

        /** log10 of each feature's firing rate over (up to) the first SPARSITY_TOKENS rows, SAELens's sparsity. */
        private float[] logFiringRates(Sae sae) {
            int n = Math.min(rows, SPARSITY_TOKENS);
            long[] fires = new long[m];
            try (SaeEncoder enc = new OnnxSaeEncoder(sae, cfg.threads(), OnnxSaeEncoder.DEFAULT_K_MAX)) {
                for (SparseCode code : enc.encode(Arrays.copyOf(x, n * d), n)) {
                    for (int j : code.indices()) {
                        fires[j]++;
                    }
                }
            }
            float[] out = new float[m];
            for (int j = 0; j < m; j++) {
                out[j] = (float) Math.log10(fires[j] / (double) n + 1e-10);
            }
            return out;
        }
    }

    /** Adam's moments for one parameter array. */
    private static final class Adam {
        final float[] m1;
        final float[] m2;
        final double lr;
        long t;

        Adam(int n, double lr) {
            m1 = new float[n];
            m2 = new float[n];
            this.lr = lr;
        }

        void step(float[] w, float[] g) {
            t++;
            double c1 = 1 - Math.pow(BETA1, t);
            double c2 = 1 - Math.pow(BETA2, t);
            for (int i = 0; i < w.length; i++) {
                update(w, i, g[i], c1, c2);
            }
        }

        /** As {@link #step} for a [rows × cols] parameter whose gradient is given transposed. */
        void stepTransposed(float[] w, float[] gT, int rows, int cols) {
            t++;
            double c1 = 1 - Math.pow(BETA1, t);
            double c2 = 1 - Math.pow(BETA2, t);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    update(w, r * cols + c, gT[c * rows + r], c1, c2);
                }
            }
        }

        private void update(float[] w, int i, float g, double c1, double c2) {
            m1[i] = (float) (BETA1 * m1[i] + (1 - BETA1) * g);
            m2[i] = (float) (BETA2 * m2[i] + (1 - BETA2) * g * g);
            w[i] -= (float) (lr * (m1[i] / c1) / (Math.sqrt(m2[i] / c2) + ADAM_EPS));
        }
    }

    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int p = 0; p < n; p++) {
            y[yo + p] += a * x[xo + p];
        }
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0;
        for (int p = 0; p < n; p++) {
            s += a[ao + p] * b[bo + p];
        }
        return s;
    }
}
