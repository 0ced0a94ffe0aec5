package dev.saestream.sae;

import static dev.saestream.sae.VectorOps.axpy;
import static dev.saestream.sae.VectorOps.dot;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an SAE in the manner of EleutherAI's sparsify and SAELens: inputs scaled so that
 * E‖x‖ = √d_in (SAELens's expected_average_only_in, folded into the weights at the end), b_dec
 * initialised to the data's geometric median, decoder rows kept at unit norm (the gradient
 * component along each row removed before every step), Adam. TopK adds the AuxK loss: the top
 * d_in/2 dead latents reconstruct the residual. Standard is ReLU with an L1 penalty on the
 * activations.
 *
 * <p>The forward product runs in ONNX Runtime. The backward pass is written out by hand and uses
 * the codes' sparsity: rows are processed in parallel, then each latent gathers its gradient from
 * the rows where it was active, in row order, and takes its Adam step. Every sum therefore runs
 * in the same order whatever the thread count, so a seeded run gives the same weights on any
 * number of threads.
 */
public final class SaeTrainer {
    private static final Logger log = LoggerFactory.getLogger(SaeTrainer.class);
    /** Rows used for the input scale and the geometric median. */
    private static final int INIT_SAMPLE = 4096;

    private static final int GEOMETRIC_MEDIAN_ITERATIONS = 30;
    /**
     * Below this many encoder weights a Java product beats ONNX Runtime, whose per-call cost
     * (copying the weights in as an input) then dominates.
     */
    private static final long ONNX_MIN_WEIGHTS = 1L << 16;
    /** Training tokens at the end of the run over which each feature's firing rate is counted. */
    static final int SPARSITY_TOKENS = 100_000;
    /** Mixed into the seed for the shuffle buffer, so that it does not replay the initialisation's draws. */
    private static final long SHUFFLE_SEED = 0x5DEECE66DL;
    /** The cfg.json metadata key under which the training settings are recorded. */
    public static final String TRAINING_KEY = "saestream_training";

    /** Figures of one training step (batch FVU, mean active features, fraction of latents dead). */
    public record StepStats(long step, long tokens, double fvu, double l0, double deadFraction, double loss) {}

    /** Called after every step, from the training thread. */
    @FunctionalInterface
    public interface Listener {
        void onStep(StepStats stats);
    }

    /** The trained SAE and how long its training steps took (initialisation excluded). */
    public record Result(Sae sae, StepStats last, double seconds) {
        public double tokensPerSecond() {
            return last.tokens() / seconds;
        }
    }

    private SaeTrainer() {}

    /**
     * Trains on {@code x} ([rows × dIn], row-major), revisiting it in a new order each epoch, and
     * returns an SAE whose cfg.json metadata records {@code source}.
     */
    public static Result train(float[] x, int rows, int dIn, TrainConfig cfg, SaeProvenance source, Listener listener) {
        if (rows <= 0 || x.length != (long) rows * dIn) {
            throw new IllegalArgumentException(
                    "training data has " + x.length + " values, not " + rows + " rows of " + dIn);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException(
                        "training activation row " + i / dIn + " has a non-finite value; refusing to train");
            }
        }
        return train(new TrainingData.InMemory(x, rows, dIn, cfg.seed()), cfg, source, listener);
    }

    /**
     * Trains on {@code cfg.tokens()} rows of {@code stream}, mixed through a shuffle buffer of
     * {@code cfg.shuffleBuffer()} rows; only the buffer is held in memory. Training ends early,
     * with a warning, if the stream does.
     */
    public static Result train(ActivationStream stream, TrainConfig cfg, SaeProvenance source, Listener listener) {
        return train(
                new TrainingData.Shuffled(stream, cfg.shuffleBuffer(), cfg.seed() ^ SHUFFLE_SEED),
                cfg,
                source,
                listener);
    }

    private static Result train(TrainingData data, TrainConfig cfg, SaeProvenance source, Listener listener) {
        long steps = (cfg.tokens() + cfg.batchSize() - 1) / cfg.batchSize();
        long countFrom = Math.max(0, steps * cfg.batchSize() - SPARSITY_TOKENS);
        try (Run run = new Run(data, cfg)) {
            StepStats last = null;
            long start = System.nanoTime();
            for (long s = 1; s <= steps; s++) {
                StepStats stats = run.step(s, (s - 1) * cfg.batchSize() >= countFrom);
                if (stats == null) {
                    log.warn("the training data ran out after {} steps of {}", s - 1, steps);
                    break;
                }
                last = stats;
                if (listener != null) {
                    listener.onStep(last);
                }
            }
            if (last == null) {
                throw new IllegalArgumentException(
                        "there were fewer than " + cfg.batchSize() + " training rows: not even one batch");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Sae sae = run.finish(source == null ? SaeProvenance.UNKNOWN : source);
            log.info(
                    "trained {} on {} tokens in {} s: FVU {}, L0 {}, dead {}",
                    sae.id(),
                    last.tokens(),
                    String.format("%.1f", seconds),
                    String.format("%.4f", last.fvu()),
                    String.format("%.1f", last.l0()),
                    String.format("%.4f", last.deadFraction()));
            return new Result(sae, last, seconds);
        }
    }

    /** The state of one training run. Parameters live in the scaled input space until {@link #finish}. */
    private static final class Run implements AutoCloseable {
        final TrainingData data;
        final int d;
        final int m;
        final int b;
        final TrainConfig cfg;
        final boolean topk;
        final float scale;
        final OnnxMatmul matmul;
        final int threads;
        final RangePool pool;
        // parameters: the encoder kept transposed, W_encᵀ [m × d], so that each latent's weights are one row
        final float[] wEncT;
        final float[] bEnc;
        final float[] wDec;
        final float[] bDec;
        final Adam aEnc;
        final Adam aBEnc;
        final Adam aDec;
        final Adam aBDec;
        final long[] lastFired;
        final long[] fires;
        long firesTokens;
        long tokens;
        // per-step buffers, reused
        final float[] xs;
        final float[] xc;
        final float[] pre;
        final float[] gx;
        final float[] gAux;
        final float[] gxc;
        final boolean[] dead;
        final double[] mean;
        final RowResult[] rowResults;

        /** One row's active latents (values and gradients at the pre-activation) and its loss terms. */
        static final class RowResult {
            int n;
            int[] j = new int[0];
            float[] a = new float[0];
            float[] g = new float[0];
            int nAux;
            int[] jAux = new int[0];
            float[] aAux = new float[0];
            float[] gAux = new float[0];
            double errSq;
            double variance;
            double l1;
            double auxLoss;

            void reserve(int count, int auxCount) {
                if (j.length < count) {
                    j = new int[count];
                    a = new float[count];
                    g = new float[count];
                }
                if (jAux.length < auxCount) {
                    jAux = new int[auxCount];
                    aAux = new float[auxCount];
                    gAux = new float[auxCount];
                }
            }
        }

        Run(TrainingData data, TrainConfig cfg) {
            this.data = data;
            this.d = data.d;
            this.m = cfg.width();
            this.b = cfg.batchSize();
            this.cfg = cfg;
            this.topk = cfg.architecture() == Architecture.TOPK;
            this.threads = cfg.threads();
            this.pool = new RangePool(threads, "sae-train");
            this.matmul = (long) d * m >= ONNX_MIN_WEIGHTS ? new OnnxMatmul(threads) : null;
            Random rnd = new Random(cfg.seed());
            float[] sample = data.sample(INIT_SAMPLE);
            this.scale = inputScale(sample);
            wEncT = new float[m * d];
            bEnc = new float[m];
            wDec = new float[m * d];
            bDec = geometricMedian(sample);
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
                }
            }
            System.arraycopy(wDec, 0, wEncT, 0, wDec.length);
            float lr = (float) cfg.effectiveLearningRate();
            aEnc = new Adam(wEncT.length, lr);
            aBEnc = new Adam(m, lr);
            aDec = new Adam(wDec.length, lr);
            aBDec = new Adam(d, lr);
            lastFired = new long[m];
            fires = new long[m];
            xs = new float[b * d];
            xc = new float[b * d];
            pre = new float[b * m];
            gx = new float[b * d];
            gAux = new float[b * d];
            gxc = new float[b * d];
            dead = new boolean[m];
            mean = new double[d];
            rowResults = new RowResult[b];
            for (int i = 0; i < b; i++) {
                rowResults[i] = new RowResult();
            }
            log.debug("training {} -> {} on {} threads: input scale {}, lr {}", d, m, threads, scale, lr);
        }

        /** √d / mean ‖x‖, so that scaled inputs have E‖x‖ = √d. */
        private float inputScale(float[] sample) {
            int n = sample.length / d;
            double sum = 0;
            for (int r = 0; r < n; r++) {
                sum += Math.sqrt(dot(sample, r * d, sample, r * d, d));
            }
            double meanNorm = sum / n;
            return meanNorm == 0 ? 1f : (float) (Math.sqrt(d) / meanNorm);
        }

        /** Weiszfeld's iteration for the point minimising the summed distance to the sample (scaled). */
        private float[] geometricMedian(float[] sample) {
            int n = sample.length / d;
            double[] y = new double[d];
            for (int r = 0; r < n; r++) {
                for (int p = 0; p < d; p++) {
                    y[p] += sample[r * d + p] * scale / n;
                }
            }
            for (int it = 0; it < GEOMETRIC_MEDIAN_ITERATIONS; it++) {
                double[] num = new double[d];
                double den = 0;
                for (int r = 0; r < n; r++) {
                    double dist = 0;
                    for (int p = 0; p < d; p++) {
                        double v = sample[r * d + p] * scale - y[p];
                        dist += v * v;
                    }
                    double w = 1 / Math.max(Math.sqrt(dist), 1e-8);
                    den += w;
                    for (int p = 0; p < d; p++) {
                        num[p] += w * sample[r * d + p] * scale;
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

        /** One Adam step on one batch; null when the data ran out before a full batch. */
        StepStats step(long stepNo, boolean countFires) {
            if (data.next(xs, b) < b) {
                return null;
            }
            Arrays.fill(mean, 0);
            for (int i = 0; i < b; i++) {
                for (int p = 0; p < d; p++) {
                    float v = xs[i * d + p] * scale;
                    xs[i * d + p] = v;
                    xc[i * d + p] = v - bDec[p];
                    mean[p] += v;
                }
            }
            for (int p = 0; p < d; p++) {
                mean[p] /= b;
            }
            preActivations();
            tokens += b;
            // dead: no firing for deadAfterTokens tokens (none can be dead before that many were seen)
            int numDead = 0;
            for (int j = 0; j < m; j++) {
                dead[j] = tokens - lastFired[j] > cfg.deadAfterTokens();
                numDead += dead[j] ? 1 : 0;
            }
            int kAux = topk && cfg.auxKCoefficient() > 0 ? Math.min(d / 2, numDead) : 0;
            double auxCoefficient = cfg.auxKCoefficient() * Math.min(numDead / (double) Math.max(1, d / 2), 1.0);
            pool.run(b, (from, to) -> rows(from, to, kAux, auxCoefficient));
            int[][] byLatent = entriesByLatent();
            aEnc.tick();
            aBEnc.tick();
            aDec.tick();
            aBDec.tick();
            pool.run(m, (from, to) -> latents(from, to, byLatent, countFires));
            float[] gBDec = new float[d];
            for (int i = 0; i < b; i++) {
                for (int p = 0; p < d; p++) {
                    gBDec[p] += gx[i * d + p] - gxc[i * d + p];
                }
            }
            aBDec.update(bDec, 0, gBDec, 0, d);
            if (countFires) {
                firesTokens += b;
            }
            double errSq = 0;
            double totalVar = 0;
            double l1 = 0;
            double auxLoss = 0;
            long active = 0;
            for (RowResult r : rowResults) {
                errSq += r.errSq;
                totalVar += r.variance;
                l1 += r.l1;
                auxLoss += r.auxLoss;
                active += r.n;
            }
            double loss = errSq / b + (topk ? auxLoss : cfg.l1Coefficient() * l1 / b);
            return new StepStats(
                    stepNo,
                    tokens,
                    totalVar == 0 ? 0 : errSq / totalVar,
                    active / (double) b,
                    numDead / (double) m,
                    loss);
        }

        /** pre = xc W_enc + b_enc, [b × m]. */
        private void preActivations() {
            if (matmul != null) {
                matmul.multiplyTransposed(xc, b, d, wEncT, m, bEnc, pre);
                return;
            }
            pool.run(b, (from, to) -> {
                for (int i = from; i < to; i++) {
                    for (int j = 0; j < m; j++) {
                        pre[i * m + j] = bEnc[j] + dot(xc, i * d, wEncT, j * d, d);
                    }
                }
            });
        }

        /**
         * Forward and backward for rows [from, to) up to the pre-activations: the code, the
         * reconstruction, ∂loss/∂x̂ (gx), each active latent's gradient at its pre-activation,
         * and the gradient reaching the centred input through the encoder (gxc).
         */
        private void rows(int from, int to, int kAux, double auxCoefficient) {
            long[] scratch = new long[topk ? Math.max(cfg.k(), kAux) : Math.max(m, kAux)];
            float[] xhat = new float[d];
            float[] ehat = new float[d];
            float l1Grad = topk ? 0f : (float) (cfg.l1Coefficient() / b);
            for (int i = from; i < to; i++) {
                RowResult r = rowResults[i];
                int po = i * m;
                int xo = i * d;
                int n = select(pre, po, scratch);
                r.reserve(n, kAux);
                r.n = n;
                r.l1 = 0;
                // decode: x̂ = b_dec + Σ a_j W_dec[j]
                System.arraycopy(bDec, 0, xhat, 0, d);
                for (int t = 0; t < n; t++) {
                    int j = (int) scratch[t];
                    float a = pre[po + j];
                    r.j[t] = j;
                    r.a[t] = a;
                    r.l1 += a;
                    axpy(a, wDec, j * d, xhat, 0, d);
                }
                // loss Σ‖x̂ − x‖² / B: ∂/∂x̂ = 2 (x̂ − x) / B
                double errSq = 0;
                double variance = 0;
                for (int p = 0; p < d; p++) {
                    float e = xhat[p] - xs[xo + p];
                    errSq += e * e;
                    double dev = xs[xo + p] - mean[p];
                    variance += dev * dev;
                    gx[xo + p] = 2f * e / b;
                }
                r.errSq = errSq;
                r.variance = variance;
                Arrays.fill(gxc, xo, xo + d, 0f);
                for (int t = 0; t < n; t++) {
                    int j = r.j[t];
                    float g = dot(gx, xo, wDec, j * d, d) + l1Grad;
                    r.g[t] = g;
                    axpy(g, wEncT, j * d, gxc, xo, d);
                }
                r.nAux = 0;
                r.auxLoss = 0;
                if (kAux > 0) {
                    auxK(i, r, kAux, auxCoefficient, xhat, ehat, scratch);
                }
            }
        }

        /** Active latents of row {@code po / m} into scratch: the k largest positive for topk, else all positive. */
        private int select(float[] pre, int po, long[] scratch) {
            if (!topk) {
                int n = 0;
                for (int j = 0; j < m; j++) {
                    if (pre[po + j] > 0f) {
                        scratch[n++] = j;
                    }
                }
                return n;
            }
            // the inference selection, so training and inference agree on ties
            int n = SaeMath.topK(pre, po, m, cfg.k(), null, scratch);
            for (int t = 0; t < n; t++) {
                scratch[t] = (int) scratch[t];
            }
            return n;
        }

        /**
         * AuxK (SAELens's form): the kAux dead latents with the largest pre-activations reconstruct
         * the residual x − x̂ through W_dec without bias, with loss coefficient · ‖ê − (x − x̂)‖² / B.
         */
        private void auxK(int i, RowResult r, int kAux, double coefficient, float[] xhat, float[] ehat, long[] heap) {
            int po = i * m;
            int xo = i * d;
            int n = 0;
            // SaeMath's heap of the best keys, worst on top; values may be negative here, which
            // ByValueDescending's keys order too
            for (int j = 0; j < m; j++) {
                if (!dead[j]) {
                    continue;
                }
                long key = ByValueDescending.key(pre[po + j], j);
                if (n < kAux) {
                    heap[n] = key;
                    SaeMath.siftUp(heap, n++);
                } else if (key < heap[0]) {
                    heap[0] = key;
                    SaeMath.siftDown(heap, n);
                }
            }
            // a canonical order (value descending, then index), so that sums do not depend on the heap's layout
            Arrays.sort(heap, 0, n);
            Arrays.fill(ehat, 0f);
            for (int t = 0; t < n; t++) {
                int j = ByValueDescending.index(heap[t]);
                r.jAux[t] = j;
                r.aAux[t] = pre[po + j];
                axpy(r.aAux[t], wDec, j * d, ehat, 0, d);
            }
            double loss = 0;
            for (int p = 0; p < d; p++) {
                float diff = ehat[p] - (xs[xo + p] - xhat[p]);
                loss += diff * diff;
                gAux[xo + p] = (float) (2 * coefficient * diff / b);
            }
            for (int t = 0; t < n; t++) {
                int j = r.jAux[t];
                float g = dot(gAux, xo, wDec, j * d, d);
                r.gAux[t] = g;
                axpy(g, wEncT, j * d, gxc, xo, d);
            }
            r.nAux = n;
            r.auxLoss = coefficient * loss / b;
        }

        /**
         * For each latent, the batch entries that reach it, in row order: {@code [row, t]} pairs
         * flattened, t ≥ 0 for the code's t-th entry and −1 − t for AuxK's t-th.
         */
        private int[][] entriesByLatent() {
            int[] count = new int[m];
            for (RowResult r : rowResults) {
                for (int t = 0; t < r.n; t++) {
                    count[r.j[t]]++;
                }
                for (int t = 0; t < r.nAux; t++) {
                    count[r.jAux[t]]++;
                }
            }
            int[][] out = new int[m][];
            for (int j = 0; j < m; j++) {
                out[j] = new int[2 * count[j]];
            }
            int[] fill = new int[m];
            for (int i = 0; i < b; i++) {
                RowResult r = rowResults[i];
                for (int t = 0; t < r.n; t++) {
                    int j = r.j[t];
                    out[j][fill[j]++] = i;
                    out[j][fill[j]++] = t;
                }
                for (int t = 0; t < r.nAux; t++) {
                    int j = r.jAux[t];
                    out[j][fill[j]++] = i;
                    out[j][fill[j]++] = -1 - t;
                }
            }
            return out;
        }

        /** Each latent's gradients and its Adam step, with the decoder row kept on the unit sphere. */
        private void latents(int from, int to, int[][] byLatent, boolean countFires) {
            float[] gDec = new float[d];
            float[] gEnc = new float[d];
            float[] gBias = new float[1];
            for (int j = from; j < to; j++) {
                Arrays.fill(gDec, 0f);
                Arrays.fill(gEnc, 0f);
                float gb = 0;
                int fired = 0;
                int[] e = byLatent[j];
                for (int q = 0; q < e.length; q += 2) {
                    int i = e[q];
                    int t = e[q + 1];
                    RowResult r = rowResults[i];
                    float a;
                    float g;
                    if (t >= 0) {
                        a = r.a[t];
                        g = r.g[t];
                        axpy(a, gx, i * d, gDec, 0, d);
                        fired++;
                    } else {
                        a = r.aAux[-1 - t];
                        g = r.gAux[-1 - t];
                        axpy(a, gAux, i * d, gDec, 0, d);
                    }
                    axpy(g, xc, i * d, gEnc, 0, d);
                    gb += g;
                }
                if (fired > 0) {
                    lastFired[j] = tokens;
                    if (countFires) {
                        fires[j] += fired;
                    }
                }
                int o = j * d;
                // keep the step tangent to the unit sphere: g −= (g · w) w
                axpy(-dot(gDec, 0, wDec, o, d), wDec, o, gDec, 0, d);
                aDec.update(wDec, o, gDec, 0, d);
                float norm = (float) Math.sqrt(dot(wDec, o, wDec, o, d));
                if (norm > 0) {
                    for (int p = 0; p < d; p++) {
                        wDec[o + p] /= norm;
                    }
                }
                aEnc.update(wEncT, o, gEnc, 0, d);
                gBias[0] = gb;
                aBEnc.update(bEnc, j, gBias, 0, 1);
            }
        }

        /** The trained SAE in the caller's units: the input scale folded into the weights, as SAELens does. */
        Sae finish(SaeProvenance source) {
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("architecture", cfg.architecture().cfgName());
            training.put("width", m);
            if (topk) {
                training.put("k", cfg.k());
                training.put("aux_k_coefficient", cfg.auxKCoefficient());
            } else {
                training.put("l1_coefficient", cfg.l1Coefficient());
            }
            training.put("learning_rate", cfg.effectiveLearningRate());
            training.put("batch_size", b);
            training.put("tokens", tokens);
            training.put("dead_after_tokens", cfg.deadAfterTokens());
            training.put("shuffle_buffer", cfg.shuffleBuffer());
            training.put("seed", cfg.seed());
            training.put("input_scale", scale);
            Map<String, Object> extra = new LinkedHashMap<>(source.extra());
            extra.put(TRAINING_KEY, training);
            SaeConfig c = new SaeConfig(
                    cfg.architecture(),
                    d,
                    m,
                    topk ? cfg.k() : 0,
                    false,
                    true,
                    Normalization.NONE,
                    "float32",
                    source.modelName(),
                    source.hookName(),
                    source.contextSize(),
                    source.datasetPath(),
                    source.id(),
                    extra);
            float[] we = new float[d * m];
            for (int j = 0; j < m; j++) {
                for (int p = 0; p < d; p++) {
                    we[p * m + j] = wEncT[j * d + p] * scale;
                }
            }
            float[] wd = wDec.clone();
            float[] bd = bDec.clone();
            for (int i = 0; i < wd.length; i++) {
                wd[i] /= scale;
            }
            for (int i = 0; i < bd.length; i++) {
                bd[i] /= scale;
            }
            return Sae.of(c, new SaeWeights(we, bEnc.clone(), wd, bd, null, null, null, null), logFiringRates());
        }

        /** log10 of each feature's firing rate over the last training tokens, SAELens's sparsity; null if none were counted. */
        private float[] logFiringRates() {
            if (firesTokens == 0) {
                return null;
            }
            float[] out = new float[m];
            for (int j = 0; j < m; j++) {
                out[j] = (float) Math.log10(fires[j] / (double) firesTokens + 1e-10);
            }
            return out;
        }

        @Override
        public void close() {
            if (matmul != null) {
                matmul.close();
            }
            pool.close();
        }
    }
}
