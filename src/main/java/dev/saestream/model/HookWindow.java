package dev.saestream.model;

/**
 * One window of a text as the model saw it, special tokens included, with the hook activation at
 * every position: the starting point for {@link Transformer#splice}.
 *
 * @param ids          the window's token ids
 * @param special      which positions hold special tokens
 * @param contentIndex for each position, the index of the token among the text's tokens (specials
 *                     not counted), or -1 for a special token
 * @param width        the hook width
 * @param activations  {@code [ids.length × width]} row-major
 */
public record HookWindow(long[] ids, boolean[] special, int[] contentIndex, int width, float[] activations) {
    public HookWindow {
        if (special.length != ids.length || contentIndex.length != ids.length) {
            throw new IllegalArgumentException("ids (" + ids.length + "), special (" + special.length
                    + ") and contentIndex (" + contentIndex.length + ") must have one entry per position");
        }
        if (activations.length != (long) ids.length * width) {
            throw new IllegalArgumentException(
                    "activations must hold " + ids.length + " × " + width + " values, got " + activations.length);
        }
    }

    public int length() {
        return ids.length;
    }
}
