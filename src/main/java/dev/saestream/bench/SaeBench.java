package dev.saestream.bench;

import dev.saestream.sae.Architecture;
import dev.saestream.sae.ReferenceEncoder;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeConfig;
import dev.saestream.sae.SaeEncoder;
import dev.saestream.sae.SaeWeights;
import dev.saestream.sae.SparseCode;
import java.util.Arrays;
import java.util.Random;

/**
 * Measures encoders on random SAEs and inputs: throughput, and agreement with {@link
 * ReferenceEncoder}. The command {@code saestream bench sae} prints what this returns.
 */
public final class SaeBench {
    private SaeBench() {}

    /**
     * One encoder's figures.
     *
     * @param maxRelError largest |value − reference| / |reference| over matching features of the checked rows
     * @param rowsDiffering checked rows whose active feature set differs from the reference's
     */
    public record Result(
            String encoder,
            int dIn,
            int dSae,
            int k,
            double tokensPerSecond,
            double gflops,
            double maxRelError,
            int rowsDiffering,
            int rowsChecked) {}

    /** A random topk SAE shaped like a trained one: unit decoder rows, encoder their transpose. */
    public static Sae randomTopK(int dIn, int dSae, int k, long seed) {
        SaeConfig config = SaeConfig.of(Architecture.TOPK, dIn, dSae, k);
        SaeWeights w = SaeWeights.zeros(config);
        Random rnd = new Random(seed);
        for (int j = 0; j < dSae; j++) {
            double norm = 0;
            for (int p = 0; p < dIn; p++) {
                float v = (float) rnd.nextGaussian();
                w.wDec()[j * dIn + p] = v;
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int p = 0; p < dIn; p++) {
                w.wDec()[j * dIn + p] *= inv;
                w.wEnc()[p * dSae + j] = w.wDec()[j * dIn + p];
            }
            w.bEnc()[j] = (float) (0.01 * rnd.nextGaussian());
        }
        for (int p = 0; p < dIn; p++) {
            w.bDec()[p] = (float) (0.1 * rnd.nextGaussian());
        }
        return Sae.of(config, w);
    }

    public static float[] randomInput(int rows, int dIn, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[rows * dIn];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** Encodes {@code x} repeatedly for about {@code seconds} after a warm-up, then checks it against the reference. */
    public static Result measure(SaeEncoder encoder, Sae sae, float[] x, int rows, double seconds) {
        long warmEnd = System.nanoTime() + (long) (Math.min(1.0, seconds / 3) * 1e9);
        while (System.nanoTime() < warmEnd) {
            encoder.encode(x, rows);
        }
        long start = System.nanoTime();
        long tokens = 0;
        long end = start + (long) (seconds * 1e9);
        SparseCode[] last;
        do {
            last = encoder.encode(x, rows);
            tokens += rows;
        } while (System.nanoTime() < end);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double tps = tokens / elapsed;
        SaeConfig c = sae.config();
        double flopPerToken = 2.0 * c.dIn() * c.dSae() * sae.encoderProducts();
        // the reference is slow on wide SAEs: check fewer rows there
        int check = Math.min(rows, (int) Math.max(16, Math.min(256, 2e9 / ((double) c.dIn() * c.dSae()))));
        float[] head = Arrays.copyOf(x, check * c.dIn());
        SparseCode[] ref = new ReferenceEncoder(sae).encode(head, check);
        double maxRel = 0;
        int differing = 0;
        for (int r = 0; r < check; r++) {
            if (!Arrays.equals(sortedIndices(ref[r]), sortedIndices(last[r]))) {
                differing++;
                continue;
            }
            for (int i = 0; i < ref[r].size(); i++) {
                float want = ref[r].values()[i];
                float got = last[r].valueOf(ref[r].indices()[i]);
                maxRel = Math.max(maxRel, Math.abs(got - want) / Math.max(Math.abs(want), 1e-30));
            }
        }
        return new Result(
                encoder.name(), c.dIn(), c.dSae(), c.k(), tps, tps * flopPerToken / 1e9, maxRel, differing, check);
    }

    private static int[] sortedIndices(SparseCode code) {
        int[] s = code.indices().clone();
        Arrays.sort(s);
        return s;
    }
}
