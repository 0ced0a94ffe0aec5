package dev.saestream.sae;

import dev.saestream.corpus.Document;
import dev.saestream.model.HookWindow;
import dev.saestream.model.SpliceResult;
import dev.saestream.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link HookSplice} over the real transformer. A document is run as the model runs it: in
 * windows of the model's length ({@link Transformer#hookWindows}), each with its special tokens.
 *
 * <ul>
 *   <li>Replaced positions: the tokens the SAE reads, that is the text's tokens, and the special
 *       tokens too when the model is configured to include them. Other positions keep their
 *       clean activations in every run, the zero-ablated one included. A token in the overlap of
 *       two windows is replaced in each, with that window's own activation.
 *   <li>Document embedding: each window's output mean-pooled over all its positions, as
 *       sentence-transformers pools, then the windows' means averaged with each window weighted
 *       by its number of positions; that is, the mean of the last hidden state over every
 *       position of every window. For a text that fits one window this is the model's own
 *       sentence embedding before normalisation.
 * </ul>
 */
public final class TransformerSplice implements HookSplice {
    private final Transformer transformer;
    private final boolean specialTokens;

    /** {@code specialTokens}: whether special positions are replaced too (as when the SAE was trained on them). */
    public TransformerSplice(Transformer transformer, boolean specialTokens) {
        this.transformer = transformer;
        this.specialTokens = specialTokens;
    }

    @Override
    public int hookWidth() {
        return transformer.width();
    }

    @Override
    public Run run(Document document) {
        return new WindowsRun(transformer.hookWindows(document.text()));
    }

    /** The document embedding: the mean of the windows' mean-pooled outputs, weighted by their positions. */
    static float[] combine(List<SpliceResult> windows) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("a document with no windows has no embedding");
        }
        int width = windows.get(0).width();
        double[] sum = new double[width];
        long positions = 0;
        for (SpliceResult r : windows) {
            for (int e = 0; e < width; e++) {
                sum[e] += (double) r.meanPooled()[e] * r.tokens();
            }
            positions += r.tokens();
        }
        float[] out = new float[width];
        for (int e = 0; e < width; e++) {
            out[e] = (float) (sum[e] / positions);
        }
        return out;
    }

    private final class WindowsRun implements Run {
        private final List<HookWindow> windows;
        /** Per window, the positions this run replaces. */
        private final int[][] replaced;

        private final int tokens;
        private float[] clean;

        WindowsRun(List<HookWindow> windows) {
            this.windows = windows;
            this.replaced = new int[windows.size()][];
            int n = 0;
            for (int w = 0; w < windows.size(); w++) {
                HookWindow window = windows.get(w);
                int[] positions = new int[window.length()];
                int count = 0;
                for (int p = 0; p < window.length(); p++) {
                    if (specialTokens || !window.special()[p]) {
                        positions[count++] = p;
                    }
                }
                replaced[w] = java.util.Arrays.copyOf(positions, count);
                n += count;
            }
            this.tokens = n;
        }

        @Override
        public int tokens() {
            return tokens;
        }

        @Override
        public float[] hookActivations() {
            int width = hookWidth();
            float[] out = new float[tokens * width];
            int row = 0;
            for (int w = 0; w < windows.size(); w++) {
                float[] acts = windows.get(w).activations();
                for (int p : replaced[w]) {
                    System.arraycopy(acts, p * width, out, row++ * width, width);
                }
            }
            return out;
        }

        @Override
        public float[] cleanEmbedding() {
            if (clean == null) {
                clean = combine(transformer.splice(
                        windows, windows.stream().map(HookWindow::activations).toList()));
            }
            return clean.clone();
        }

        @Override
        public float[] embedWithHook(float[] replacement) {
            int width = hookWidth();
            if (replacement.length != (long) tokens * width) {
                throw new IllegalArgumentException("the replacement holds " + replacement.length
                        + " values; this document needs " + tokens + " tokens × " + width);
            }
            List<float[]> acts = new ArrayList<>(windows.size());
            int row = 0;
            for (int w = 0; w < windows.size(); w++) {
                float[] a = windows.get(w).activations().clone();
                for (int p : replaced[w]) {
                    System.arraycopy(replacement, row++ * width, a, p * width, width);
                }
                acts.add(a);
            }
            return combine(transformer.splice(windows, acts));
        }
    }
}
