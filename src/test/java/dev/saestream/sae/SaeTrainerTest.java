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
        TrainConfig cfg = new TrainConfig("topk", 128, PER_TOKEN, 0, 2e-3, 256, 200_000, 1.0 / 32, 20_000, 1, 2);

        // when
        SaeTrainer.Result result = SaeTrainer.train(data.x(), data.rows(), D_IN, cfg, null, null);

        // then
        List<Double> best = bestCosines(data, result.sae());
        long matched = best.stream().filter(c -> c >= 0.9).count();
        assertThat(matched).as("planted directions matched at cosine >= 0.9, best cosines %s", best)
                .isGreaterThanOrEqualTo((long) Math.ceil(0.9 * FEATURES));
        assertThat(result.last().fvu()).isLessThan(0.1);
    }

    @Test
    void reluL1RecoversPlantedFeatures() {
        Planted data = planted(60_000, 8);
        TrainConfig cfg = new TrainConfig("standard", 128, 0, 1.0, 2e-3, 256, 600_000, 0, 20_000, 2, 2);
        SaeTrainer.Result result = SaeTrainer.train(data.x(), data.rows(), D_IN, cfg, null, null);
        List<Double> best = bestCosines(data, result.sae());
        long matched = best.stream().filter(c -> c >= 0.9).count();
        assertThat(matched).as("best cosines %s", best).isGreaterThanOrEqualTo((long) Math.ceil(0.9 * FEATURES));
    }
}
