package dev.saestream.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One text's tokens with their activations at the hook, in document order, each token once.
 * Arrays are shared, not copied: do not modify them.
 *
 * @param tokens      the tokens as the tokenizer spells them ({@code ##ing}, {@code Ġthe}, {@code [CLS]})
 * @param ids         their vocabulary ids
 * @param starts      where each token starts in the text, as a UTF-16 index ({@code text.substring(start, end)});
 *                    special tokens have an empty span where they stand
 * @param ends        where each token ends, exclusive
 * @param special     which tokens are special ([CLS], [SEP], BOS …); absent unless configured, and then
 *                    each window of a long text brings its own, beside the tokens taken from it
 * @param width       the activation width
 * @param activations row-major {@code [tokens × width]}, or null when a head replaced them
 * @param head        per-token outputs of the head by output name; empty without a head
 */
public record TokenActivations(
        List<String> tokens,
        int[] ids,
        int[] starts,
        int[] ends,
        boolean[] special,
        int width,
        float[] activations,
        Map<String, HeadValues> head) {
    public TokenActivations {
        tokens = List.copyOf(tokens);
        head = Map.copyOf(head);
        int n = tokens.size();
        if (ids.length != n || starts.length != n || ends.length != n || special.length != n) {
            throw new IllegalArgumentException(
                    "tokens (" + n + "), ids (" + ids.length + "), starts (" + starts.length + "), ends (" + ends.length
                            + ") and special (" + special.length + ") must have one entry per token");
        }
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive, got " + width);
        }
        if (activations != null && activations.length != (long) n * width) {
            throw new IllegalArgumentException("activations must hold tokens × width = " + n + " × " + width
                    + " values, got " + activations.length);
        }
        for (Map.Entry<String, HeadValues> e : head.entrySet()) {
            if (e.getValue().rows() != n) {
                throw new IllegalArgumentException(
                        "head output " + e.getKey() + " has " + e.getValue().rows() + " rows for " + n + " tokens");
            }
        }
    }

    public int size() {
        return tokens.size();
    }

    /** A copy of token {@code i}'s activation vector. */
    public float[] row(int i) {
        if (activations == null) {
            throw new IllegalStateException("activations were not kept (the head replaced them)");
        }
        return Arrays.copyOfRange(activations, i * width, (i + 1) * width);
    }
}
