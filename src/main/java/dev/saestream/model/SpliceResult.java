package dev.saestream.model;

/**
 * The model's final output for one window after a spliced-in hook activation.
 *
 * @param tokens          positions in the window, special tokens included
 * @param width           the output width
 * @param lastHiddenState {@code [tokens × width]} row-major
 * @param meanPooled      the mean over all positions (special tokens included, as sentence-transformers pools)
 */
public record SpliceResult(int tokens, int width, float[] lastHiddenState, float[] meanPooled) {
    public SpliceResult {
        if (lastHiddenState.length != (long) tokens * width) {
            throw new IllegalArgumentException(
                    "lastHiddenState must hold " + tokens + " × " + width + " values, got " + lastHiddenState.length);
        }
        if (meanPooled.length != width) {
            throw new IllegalArgumentException("meanPooled must hold " + width + " values, got " + meanPooled.length);
        }
    }
}
