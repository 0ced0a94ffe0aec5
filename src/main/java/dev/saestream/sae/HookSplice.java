package dev.saestream.sae;

import dev.saestream.corpus.Document;

/**
 * The seam to the transformer for downstream fidelity: run a document up to the hook, and finish
 * the run with the hook's output replaced. {@link TransformerSplice} implements it over the
 * model package's transformer; {@link DownstreamFidelity} does the arithmetic.
 */
public interface HookSplice {
    /** The hook's activation width; must equal the SAE's d_in. */
    int hookWidth();

    /** Runs one document; the returned run can be finished several times with different hook outputs. */
    Run run(Document document);

    /** One document's run, cut at the hook. */
    interface Run {
        /** Tokens whose hook activation a replacement replaces; 0 for a document the model sees nothing of. */
        int tokens();

        /** The hook's activations at those tokens, row-major [tokens × hookWidth]. */
        float[] hookActivations();

        /** The model's final pooled embedding, unaltered. */
        float[] cleanEmbedding();

        /** The final pooled embedding with the hook's output replaced by {@code replacement} ([tokens × hookWidth]). */
        float[] embedWithHook(float[] replacement);
    }
}
