package dev.saestream.sae;

/**
 * Reconstruction and sparsity metrics of an SAE over a set of activations, as SAELens and
 * SAEBench report them.
 *
 * @param tokens                     tokens evaluated
 * @param l0                         mean active features per token
 * @param fvu                        fraction of variance unexplained, Σ‖x − x̂‖² / Σ‖x − x̄‖²
 * @param cosine                     mean over tokens of cos(x, x̂)
 * @param relativeReconstructionBias Σ‖x̂‖² / Σ x·x̂ (1 is unbiased; below 1 means shrinkage)
 * @param deadFraction               features that never fired
 * @param denseFraction              features firing on more than {@value #DENSE_DENSITY} of tokens
 * @param densityHistogram           alive features per log10-density bin, bin i covering
 *                                   [{@value #HISTOGRAM_FROM} + i·{@value #HISTOGRAM_STEP}, … + {@value #HISTOGRAM_STEP})
 */
public record SaeEvaluation(
        long tokens,
        double l0,
        double fvu,
        double cosine,
        double relativeReconstructionBias,
        double deadFraction,
        double denseFraction,
        long[] densityHistogram) {
    public static final double DENSE_DENSITY = 0.1;
    public static final double HISTOGRAM_FROM = -7.0;
    public static final double HISTOGRAM_STEP = 0.5;
    public static final int HISTOGRAM_BINS = 14;
    /** Tokens encoded per call while evaluating. */
    static final int CHUNK = 4096;

    /** Lower edge of histogram bin i, in log10 density. */
    public static double binFrom(int i) {
        return HISTOGRAM_FROM + i * HISTOGRAM_STEP;
    }

    /** Evaluates {@code sae} on {@code x} ([rows × d_in]). */
    public static SaeEvaluation of(Sae sae, float[] x, int rows) {
        Accumulator acc = new Accumulator(sae);
        int d = sae.config().dIn();
        for (int from = 0; from < rows; from += CHUNK) {
            int n = Math.min(CHUNK, rows - from);
            acc.add(java.util.Arrays.copyOfRange(x, from * d, (from + n) * d), n);
        }
        return acc.result();
    }

    /** Accumulates activations chunk by chunk (variance from per-dimension sums, in double). */
    public static final class Accumulator {
        private final Sae sae;
        private final double[] sum;
        private final long[] fires;
        private long tokens;
        private long active;
        private double sumSq;
        private double errSq;
        private double cosSum;
        private double reconSq;
        private double dotSum;

        public Accumulator(Sae sae) {
            this.sae = sae;
            this.sum = new double[sae.config().dIn()];
            this.fires = new long[sae.config().dSae()];
        }

        public void add(float[] x, int rows) {
            SparseCode[] codes = sae.encode(x, rows);
            float[] xhat = sae.decode(codes, x);
            int d = sae.config().dIn();
            for (int r = 0; r < rows; r++) {
                active += codes[r].size();
                for (int j : codes[r].indices()) {
                    fires[j]++;
                }
                double xx = 0;
                double hh = 0;
                double xh = 0;
                for (int p = 0; p < d; p++) {
                    double a = x[r * d + p];
                    double h = xhat[r * d + p];
                    sum[p] += a;
                    xx += a * a;
                    hh += h * h;
                    xh += a * h;
                    errSq += (a - h) * (a - h);
                }
                sumSq += xx;
                reconSq += hh;
                dotSum += xh;
                cosSum += xx == 0 || hh == 0 ? 0 : xh / Math.sqrt(xx * hh);
            }
            tokens += rows;
        }

        public SaeEvaluation result() {
            if (tokens == 0) {
                throw new IllegalStateException("no activations were evaluated");
            }
            double meanSq = 0;
            for (double s : sum) {
                meanSq += s * s;
            }
            double totalVar = sumSq - meanSq / tokens;
            int dSae = fires.length;
            long dead = 0;
            long dense = 0;
            long[] hist = new long[HISTOGRAM_BINS];
            for (long f : fires) {
                if (f == 0) {
                    dead++;
                    continue;
                }
                double density = f / (double) tokens;
                if (density > DENSE_DENSITY) {
                    dense++;
                }
                int bin = (int) Math.floor((Math.log10(density) - HISTOGRAM_FROM) / HISTOGRAM_STEP);
                hist[Math.max(0, Math.min(HISTOGRAM_BINS - 1, bin))]++;
            }
            return new SaeEvaluation(
                    tokens,
                    active / (double) tokens,
                    totalVar == 0 ? Double.NaN : errSq / totalVar,
                    cosSum / tokens,
                    dotSum == 0 ? Double.NaN : reconSq / dotSum,
                    dead / (double) dSae,
                    dense / (double) dSae,
                    hist);
        }
    }
}
