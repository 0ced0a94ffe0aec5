package dev.saestream.sae;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Matches the features of two SAEs over the same activations by the cosine similarity of their
 * decoder directions: which feature of B is feature j of A, and which have no counterpart.
 *
 * <p>The full cosine matrix is computed in blocks of A's rows (an ONNX Runtime matrix product of
 * unit decoder rows), keeping for each row of A its best {@code candidates} features of B; a
 * one-to-one matching is then taken greedily over those edges, highest cosine first (ties by A's
 * index, then B's). Greedy matching is within half of the best total cosine and is exact when
 * every feature's best match is mutual, as for a retrained or permuted copy; the Hungarian method
 * would cost O(n³), hours at 24,576 features.
 */
public final class FeatureMatching {
    /** Bytes of cosines one block holds at most: bounds memory whatever the widths. */
    private static final long BLOCK_BYTES = 64L << 20;

    private FeatureMatching() {}

    /** A matched pair: feature {@code a} of A and {@code b} of B, with the cosine of their decoder rows. */
    public record Match(int a, int b, double cosine) {}

    /**
     * The matching.
     *
     * @param featuresA  A's width
     * @param featuresB  B's width
     * @param pairs      one-to-one pairs, highest cosine first
     * @param unmatchedA A's features without a pair, by index
     * @param unmatchedB B's features without a pair, by index
     * @param bestA      for every feature of A its best cosine with any feature of B (matched or not)
     */
    public record Result(
            int featuresA, int featuresB, List<Match> pairs, int[] unmatchedA, int[] unmatchedB, double[] bestA) {
        public Result {
            pairs = List.copyOf(pairs);
        }
    }

    /** Matches A's features to B's using each feature's best {@code candidates} partners. */
    public static Result match(Sae a, Sae b, int candidates, int threads) {
        if (a.config().dIn() != b.config().dIn()) {
            throw new IllegalArgumentException("the SAEs read activations of different widths (d_in "
                    + a.config().dIn() + " and " + b.config().dIn() + "); only SAEs at the same hook can be matched");
        }
        if (candidates <= 0) {
            throw new IllegalArgumentException("candidates must be positive, got " + candidates);
        }
        int dIn = a.config().dIn();
        int nA = a.config().dSae();
        int nB = b.config().dSae();
        int k = Math.min(candidates, nB);
        float[] unitA = unitRows(a.weights().wDec(), nA, dIn);
        float[] unitB = unitRows(b.weights().wDec(), nB, dIn);
        int[] candB = new int[nA * k];
        float[] candCos = new float[nA * k];
        double[] bestA = new double[nA];
        int block = (int) Math.max(1, Math.min(nA, BLOCK_BYTES / 4 / nB));
        float[] cos = new float[block * nB];
        float[] zeros = new float[nB];
        try (OnnxMatmul matmul = new OnnxMatmul(threads)) {
            for (int from = 0; from < nA; from += block) {
                int rows = Math.min(block, nA - from);
                float[] slab = Arrays.copyOfRange(unitA, from * dIn, (from + rows) * dIn);
                matmul.multiplyTransposed(slab, rows, dIn, unitB, nB, zeros, cos);
                for (int r = 0; r < rows; r++) {
                    topK(cos, r * nB, nB, k, candB, candCos, (from + r) * k);
                    bestA[from + r] = clamp(candCos[(from + r) * k]);
                }
            }
        }
        return greedy(nA, nB, k, candB, candCos, bestA);
    }

    /** The same matching from the full cosine matrix computed one pair at a time: the reference for tests. */
    static Result matchReference(Sae a, Sae b, int candidates) {
        int dIn = a.config().dIn();
        int nA = a.config().dSae();
        int nB = b.config().dSae();
        int k = Math.min(candidates, nB);
        float[] unitA = unitRows(a.weights().wDec(), nA, dIn);
        float[] unitB = unitRows(b.weights().wDec(), nB, dIn);
        int[] candB = new int[nA * k];
        float[] candCos = new float[nA * k];
        double[] bestA = new double[nA];
        float[] row = new float[nB];
        for (int i = 0; i < nA; i++) {
            for (int j = 0; j < nB; j++) {
                double dot = 0;
                for (int p = 0; p < dIn; p++) {
                    dot += (double) unitA[i * dIn + p] * unitB[j * dIn + p];
                }
                row[j] = (float) dot;
            }
            topK(row, 0, nB, k, candB, candCos, i * k);
            bestA[i] = clamp(candCos[i * k]);
        }
        return greedy(nA, nB, k, candB, candCos, bestA);
    }

    private static Result greedy(int nA, int nB, int k, int[] candB, float[] candCos, double[] bestA) {
        Integer[] order = new Integer[nA * k];
        for (int e = 0; e < order.length; e++) {
            order[e] = e;
        }
        Arrays.sort(order, (x, y) -> {
            int c = Float.compare(candCos[y], candCos[x]);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(x / k, y / k);
            return c != 0 ? c : Integer.compare(candB[x], candB[y]);
        });
        int[] pairOfA = new int[nA];
        boolean[] takenB = new boolean[nB];
        Arrays.fill(pairOfA, -1);
        List<Match> pairs = new ArrayList<>();
        for (int e : order) {
            int i = e / k;
            int j = candB[e];
            if (pairOfA[i] < 0 && !takenB[j]) {
                pairOfA[i] = j;
                takenB[j] = true;
                pairs.add(new Match(i, j, clamp(candCos[e])));
            }
        }
        int[] unmatchedA = java.util.stream.IntStream.range(0, nA)
                .filter(i -> pairOfA[i] < 0)
                .toArray();
        int[] unmatchedB =
                java.util.stream.IntStream.range(0, nB).filter(j -> !takenB[j]).toArray();
        return new Result(nA, nB, pairs, unmatchedA, unmatchedB, bestA);
    }

    /** The {@code k} largest of {@code values[from, from + n)}, largest first, ties by lower index, into out at {@code at}. */
    private static void topK(float[] values, int from, int n, int k, int[] outIndex, float[] outValue, int at) {
        int size = 0;
        for (int j = 0; j < n; j++) {
            float v = values[from + j];
            if (size == k && !(v > outValue[at + k - 1])) {
                continue;
            }
            int pos = size < k ? size++ : k - 1;
            while (pos > 0 && v > outValue[at + pos - 1]) {
                outValue[at + pos] = outValue[at + pos - 1];
                outIndex[at + pos] = outIndex[at + pos - 1];
                pos--;
            }
            outValue[at + pos] = v;
            outIndex[at + pos] = j;
        }
    }

    /** Rounding can put the cosine of a row with itself a few ulps above 1. */
    private static double clamp(float cosine) {
        return Math.max(-1, Math.min(1, cosine));
    }

    /** Each row scaled to unit length; a zero row stays zero (cosine 0 with everything). */
    public static float[] unitRows(float[] m, int rows, int width) {
        float[] out = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int p = 0; p < width; p++) {
                double v = m[r * width + p];
                s += v * v;
            }
            double inv = s == 0 ? 0 : 1 / Math.sqrt(s);
            for (int p = 0; p < width; p++) {
                out[r * width + p] = (float) (m[r * width + p] * inv);
            }
        }
        return out;
    }
}
