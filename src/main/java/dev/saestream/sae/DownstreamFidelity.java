package dev.saestream.sae;

import dev.saestream.corpus.Document;

/**
 * How much of the model's output an SAE's reconstruction preserves, the embedding-model analogue
 * of SAELens's CE-loss score: with D = 1 − cos(embedding, clean embedding) averaged over
 * documents, score = (D_zero − D_sae) / D_zero, where D_sae splices in the reconstruction at the
 * hook and D_zero zeros the hook. 1 means the reconstruction is as good as the activations, 0 as
 * bad as deleting them.
 *
 * @param documents       documents evaluated
 * @param tokens          hook tokens over those documents
 * @param meanCosineSae   mean cosine of the spliced embedding to the clean one
 * @param meanCosineZero  mean cosine of the zero-ablated embedding to the clean one
 * @param score           (D_zero − D_sae) / D_zero; NaN when zero-ablation changes nothing
 */
public record DownstreamFidelity(
        int documents, long tokens, double meanCosineSae, double meanCosineZero, double score) {

    /** Accumulates documents one by one. */
    public static final class Accumulator {
        private final Sae sae;
        private int documents;
        private long tokens;
        private double sumCosSae;
        private double sumCosZero;

        public Accumulator(Sae sae) {
            this.sae = sae;
        }

        /** Runs one document through the splice with the clean, reconstructed and zeroed hook. */
        public void add(HookSplice splice, Document document) {
            if (splice.hookWidth() != sae.config().dIn()) {
                throw new IllegalArgumentException("the hook is " + splice.hookWidth() + " wide but the SAE's d_in is "
                        + sae.config().dIn());
            }
            add(splice.run(document));
        }

        /** Finishes one document's run with the reconstructed and the zeroed hook; a run of no tokens is skipped. */
        public void add(HookSplice.Run run) {
            if (run.tokens() == 0) {
                return;
            }
            float[] x = run.hookActivations();
            if (x.length != (long) run.tokens() * sae.config().dIn()) {
                throw new IllegalArgumentException(
                        "the hook's activations hold " + x.length + " values, not " + run.tokens()
                                + " tokens × the SAE's d_in " + sae.config().dIn());
            }
            float[] clean = run.cleanEmbedding();
            float[] recon = sae.reconstruct(x, run.tokens());
            add(
                    run.tokens(),
                    cosine(run.embedWithHook(recon), clean),
                    cosine(run.embedWithHook(new float[x.length]), clean));
        }

        void add(int docTokens, double cosSae, double cosZero) {
            documents++;
            tokens += docTokens;
            sumCosSae += cosSae;
            sumCosZero += cosZero;
        }

        public DownstreamFidelity result() {
            if (documents == 0) {
                throw new IllegalStateException("no documents were evaluated");
            }
            double cosSae = sumCosSae / documents;
            double cosZero = sumCosZero / documents;
            double dSae = 1 - cosSae;
            double dZero = 1 - cosZero;
            return new DownstreamFidelity(
                    documents, tokens, cosSae, cosZero, dZero == 0 ? Double.NaN : (dZero - dSae) / dZero);
        }
    }

    /** cos(a, b); 0 when either is the zero vector. */
    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings differ in length: " + a.length + " and " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
