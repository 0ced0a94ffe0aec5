package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The trainer recovers known features from synthetic data made of them. */
class SaeTrainerTest {
    static final int D_IN = 32;
    static final int FEATURES = 64;
    static final int PER_TOKEN = 3;

    /** Unit directions, and tokens that are sparse positive combinations of them plus noise. */
    record Planted(float[] directions, float[] x, int rows) {}

    static Planted planted(int rows, long seed) {
        Random rnd = new Random(seed);
        float[] dirs = new float[FEATURES * D_IN];
        for (int f = 0; f < FEATURES; f++) {
            double n = 0;
            for (int p = 0; p < D_IN; p++) {
                dirs[f * D_IN + p] = (float) rnd.nextGaussian();
                n += dirs[f * D_IN + p] * dirs[f * D_IN + p];
            }
            for (int p = 0; p < D_IN; p++) {
                dirs[f * D_IN + p] /= (float) Math.sqrt(n);
            }
        }
        float[] x = new float[rows * D_IN];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < PER_TOKEN; t++) {
                int f = rnd.nextInt(FEATURES);
                float a = 1f + rnd.nextFloat();
                for (int p = 0; p < D_IN; p++) {
                    x[r * D_IN + p] += a * dirs[f * D_IN + p];
                }
            }
            for (int p = 0; p < D_IN; p++) {
                x[r * D_IN + p] += (float) (0.05 * rnd.nextGaussian()) + 0.3f;
            }
        }
        return new Planted(dirs, x, rows);
    }

    /** For each planted direction, the best cosine with any decoder row. */
    static List<Double> bestCosines(Planted data, Sae sae) {
        float[] norms = sae.decoderNorms();
        float[] wDec = sae.weights().wDec();
        List<Double> best = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++) {
            double b = -1;
            for (int j = 0; j < sae.config().dSae(); j++) {
                double dot = 0;
                for (int p = 0; p < D_IN; p++) {
                    dot += data.directions()[f * D_IN + p] * wDec[j * D_IN + p];
                }
                b = Math.max(b, dot / norms[j]);
            }
            best.add(b);
        }
        return best;
    }

    @Test
    void topKRecoversPlantedFeatures() {
        // given
        Planted data = planted(60_000, 7);
        TrainConfig cfg =
                new TrainConfig(Architecture.TOPK, 128, PER_TOKEN, 0, 2e-3, 256, 200_000, 1.0 / 32, 20_000, 1, 2, 4096);

        // when
        SaeTrainer.Result result = SaeTrainer.train(data.x(), data.rows(), D_IN, cfg, null, null);

        // then
        List<Double> best = bestCosines(data, result.sae());
        long matched = best.stream().filter(c -> c >= 0.9).count();
        assertThat(matched)
                .as("planted directions matched at cosine >= 0.9, best cosines %s", best)
                .isGreaterThanOrEqualTo((long) Math.ceil(0.9 * FEATURES));
        assertThat(result.last().fvu()).isLessThan(0.1);
    }

    @Test
    void reluL1RecoversPlantedFeatures() {
        Planted data = planted(60_000, 8);
        TrainConfig cfg =
                new TrainConfig(Architecture.STANDARD, 128, 0, 1.0, 2e-3, 256, 600_000, 0, 20_000, 2, 2, 4096);
        SaeTrainer.Result result = SaeTrainer.train(data.x(), data.rows(), D_IN, cfg, null, null);
        List<Double> best = bestCosines(data, result.sae());
        long matched = best.stream().filter(c -> c >= 0.9).count();
        assertThat(matched).as("best cosines %s", best).isGreaterThanOrEqualTo((long) Math.ceil(0.9 * FEATURES));
    }

    /** Rows of an array handed out in small, uneven pieces, as a transformer hands out documents. */
    static final class ArrayStream implements ActivationStream {
        final float[] x;
        final int d;
        final int rows;
        int at;
        int call;

        ArrayStream(float[] x, int rows, int d) {
            this.x = x;
            this.rows = rows;
            this.d = d;
        }

        @Override
        public int width() {
            return d;
        }

        @Override
        public int read(float[] dst, int maxRows) {
            int n = Math.min(Math.min(maxRows, 1 + (call++ * 37) % 300), rows - at);
            System.arraycopy(x, at * d, dst, 0, n * d);
            at += n;
            return n;
        }

        @Override
        public void close() {}
    }

    @Test
    void streamedTopKRecoversPlantedFeatures() {
        // given 200,000 planted tokens, seen once each through a shuffle buffer of 8,192
        Planted data = planted(200_000, 9);
        TrainConfig cfg =
                new TrainConfig(Architecture.TOPK, 128, PER_TOKEN, 0, 2e-3, 256, 199_936, 1.0 / 32, 20_000, 1, 2, 8192);

        // when
        SaeTrainer.Result result = SaeTrainer.train(new ArrayStream(data.x(), data.rows(), D_IN), cfg, null, null);

        // then
        List<Double> best = bestCosines(data, result.sae());
        assertThat(best.stream().filter(c -> c >= 0.9).count())
                .as("best cosines %s", best)
                .isGreaterThanOrEqualTo((long) Math.ceil(0.9 * FEATURES));
    }

    @Test
    void aSeededRunGivesTheSameWeightsOnAnyNumberOfThreads() {
        // given an SAE wide enough (64 x 1024) for the forward product to run in ONNX Runtime
        Planted data = planted(20_000, 10);
        float[] x = new float[data.rows() * 64];
        for (int r = 0; r < data.rows(); r++) {
            System.arraycopy(data.x(), r * D_IN, x, r * 64, D_IN);
            System.arraycopy(data.x(), r * D_IN, x, r * 64 + D_IN, D_IN);
        }

        // when trained on one thread and on two
        SaeWeights[] weights = new SaeWeights[2];
        for (int t = 1; t <= 2; t++) {
            TrainConfig cfg =
                    new TrainConfig(Architecture.TOPK, 1024, 8, 0, 1e-3, 256, 19_968, 1.0 / 32, 5_000, 3, t, 4096);
            weights[t - 1] = SaeTrainer.train(new ArrayStream(x, data.rows(), 64), cfg, null, null)
                    .sae()
                    .weights();
        }

        // then every weight is bit for bit the same
        assertThat(weights[1].wEnc()).containsExactly(weights[0].wEnc());
        assertThat(weights[1].bEnc()).containsExactly(weights[0].bEnc());
        assertThat(weights[1].wDec()).containsExactly(weights[0].wDec());
        assertThat(weights[1].bDec()).containsExactly(weights[0].bDec());
    }

    @Test
    void sparsityIsTheFiringRateOverTheLastTrainingTokens() {
        // given a run shorter than the sparsity window, so that every step counts
        Planted data = planted(10_000, 11);
        TrainConfig cfg =
                new TrainConfig(Architecture.TOPK, 128, PER_TOKEN, 0, 2e-3, 256, 25_600, 1.0 / 32, 20_000, 1, 1, 4096);

        // when
        Sae sae = SaeTrainer.train(data.x(), data.rows(), D_IN, cfg, null, null).sae();

        // then: topk fires exactly k features per token, so the rates sum to k
        double sum = 0;
        for (float logRate : sae.logSparsity()) {
            sum += Math.pow(10, logRate) - 1e-10;
        }
        assertThat(sum).isCloseTo(PER_TOKEN, org.assertj.core.data.Offset.offset(1e-3));
    }
}
