package dev.saestream.sae;

/**
 * The parts of encoding and decoding every encoder shares: input checks, SAELens's run-time
 * normalisation, the top-k selection, and the sparse decode. The activations themselves are the
 * architectures' ({@link SaeArchitecture}); only the pre-activation matrix product differs
 * between encoders.
 */
final class SaeMath {
    private SaeMath() {}

    /** Refuses a wrong width or a NaN/infinite value, naming the row and the column. */
    static void checkInput(Sae sae, float[] x, int rows) {
        int dIn = sae.config().dIn();
        if (rows < 0 || x.length != (long) rows * dIn) {
            throw new IllegalArgumentException(
                    "activations have " + x.length + " values, not " + rows + " rows of d_in "
                            + dIn
                            + (sae.config().hookName() == null
                                    ? ""
                                    : " (hook " + sae.config().hookName() + ")")
                            + "; the activation width does not match this SAE");
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException(
                        "activation row " + i / dIn + " has a " + (Float.isNaN(x[i]) ? "NaN" : "infinite")
                                + " value at column " + i % dIn + "; refusing to encode non-finite activations");
            }
        }
    }

    /**
     * Writes SAELens's encoder input for rows [from, from+n) of {@code x} into {@code out} (n × d_in):
     * the run-time normalisation, then minus b_dec when apply_b_dec_to_input.
     */
    static void prepare(Sae sae, float[] x, int from, int n, float[] out) {
        SaeConfig c = sae.config();
        int d = c.dIn();
        float[] bDec = sae.weights().bDec();
        boolean subtract = c.applyBDecToInput();
        for (int r = 0; r < n; r++) {
            int src = (from + r) * d;
            int dst = r * d;
            switch (c.normalization()) {
                case CONSTANT_NORM_RESCALE -> {
                    float coeff = rescaleCoefficient(x, src, d, from + r);
                    for (int p = 0; p < d; p++) {
                        out[dst + p] = x[src + p] * coeff;
                    }
                }
                case LAYER_NORM -> {
                    float mu = mean(x, src, d);
                    float std = std(x, src, d, mu);
                    float denom = std + Normalization.LAYER_NORM_EPS;
                    for (int p = 0; p < d; p++) {
                        out[dst + p] = (x[src + p] - mu) / denom;
                    }
                }
                default -> System.arraycopy(x, src, out, dst, d);
            }
            if (subtract) {
                for (int p = 0; p < d; p++) {
                    out[dst + p] -= bDec[p];
                }
            }
        }
    }

    /** √d_in / ‖x‖, SAELens's constant_norm_rescale factor; a zero row has none. */
    static float rescaleCoefficient(float[] x, int off, int d, int row) {
        double s = 0;
        for (int p = 0; p < d; p++) {
            s += (double) x[off + p] * x[off + p];
        }
        if (s == 0) {
            throw new IllegalArgumentException(
                    "activation row " + row + " is all zeros; constant_norm_rescale cannot scale it");
        }
        return (float) (Math.sqrt(d) / Math.sqrt(s));
    }

    static float mean(float[] x, int off, int d) {
        double s = 0;
        for (int p = 0; p < d; p++) {
            s += x[off + p];
        }
        return (float) (s / d);
    }

    /** torch.std's default: the unbiased (n − 1) estimate, around {@code mu}. */
    static float std(float[] x, int off, int d, float mu) {
        double s = 0;
        for (int p = 0; p < d; p++) {
            double v = x[off + p] - mu;
            s += v * v;
        }
        return (float) Math.sqrt(s / Math.max(1, d - 1));
    }

    /**
     * TopK then ReLU: of the k largest pre-activations (times ‖W_dec row‖ with
     * rescale_acts_by_decoder_norm) only the positive survive, so this keeps the k largest
     * positive ones; ties go to the lower index. A size-k min-heap of sort keys: the k largest
     * positive of pre[off, off + dSae) (times norms, when given) as unsorted keys in heap[0, n).
     */
    static int topK(float[] pre, int off, int dSae, int k, float[] norms, long[] heap) {
        int n = 0;
        // once the heap is full, most values fall below its worst and are skipped on one well-predicted
        // compare; testing the sign first would mispredict on every other value
        float floor = 0f;
        for (int j = 0; j < dSae; j++) {
            float v = norms == null ? pre[off + j] : pre[off + j] * norms[j];
            if (v < floor || !(v > 0f)) {
                continue;
            }
            long key = ByValueDescending.key(v, j);
            if (n < k) {
                heap[n] = key;
                siftUp(heap, n++);
                if (n == k) {
                    floor = ByValueDescending.value(heap[0]);
                }
            } else if (key < heap[0]) {
                heap[0] = key;
                siftDown(heap, n);
                floor = ByValueDescending.value(heap[0]);
            }
        }
        return n;
    }

    // heaps of ByValueDescending keys keep the largest key (the worst value) on top
    static void siftUp(long[] h, int i) {
        long x = h[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (h[parent] >= x) {
                break;
            }
            h[i] = h[parent];
            i = parent;
        }
        h[i] = x;
    }

    static void siftDown(long[] h, int n) {
        long x = h[0];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && h[child + 1] > h[child]) {
                child++;
            }
            if (h[child] <= x) {
                break;
            }
            h[i] = h[child];
            i = child;
        }
        h[i] = x;
    }

    /**
     * x̂ = Σ a_j W_dec[j] + b_dec (a_j / ‖W_dec[j]‖ for topk with rescale_acts_by_decoder_norm),
     * then the normalisation undone with the statistics of {@code x} (null when none is needed).
     */
    static float[] decode(Sae sae, SparseCode[] codes, float[] x) {
        SaeConfig c = sae.config();
        int d = c.dIn();
        int dSae = c.dSae();
        float[] wDec = sae.weights().wDec();
        float[] bDec = sae.weights().bDec();
        float[] norms = c.rescaleActsByDecoderNorm() ? sae.decoderNormsShared() : null;
        float[] out = new float[codes.length * d];
        for (int r = 0; r < codes.length; r++) {
            int o = r * d;
            System.arraycopy(bDec, 0, out, o, d);
            SparseCode code = codes[r];
            for (int i = 0; i < code.size(); i++) {
                int j = code.indices()[i];
                if (j < 0 || j >= dSae) {
                    throw new IllegalArgumentException(
                            "code of row " + r + " names feature " + j + " but d_sae is " + dSae);
                }
                float a = norms == null ? code.values()[i] : code.values()[i] / norms[j];
                int w = j * d;
                for (int p = 0; p < d; p++) {
                    out[o + p] += a * wDec[w + p];
                }
            }
            switch (c.normalization()) {
                case CONSTANT_NORM_RESCALE -> {
                    float coeff = rescaleCoefficient(x, o, d, r);
                    for (int p = 0; p < d; p++) {
                        out[o + p] /= coeff;
                    }
                }
                case LAYER_NORM -> {
                    float mu = mean(x, o, d);
                    float std = std(x, o, d, mu);
                    for (int p = 0; p < d; p++) {
                        out[o + p] = out[o + p] * std + mu;
                    }
                }
                default -> {}
            }
        }
        return out;
    }
}
