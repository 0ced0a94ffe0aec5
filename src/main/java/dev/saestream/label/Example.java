package dev.saestream.label;

import java.util.Arrays;

/**
 * One window a scorer shows: a held-out activating window, or a background window where the
 * feature is zero.
 *
 * @param id       the window id: {@code doc#peak} for activating, {@code doc#first} for background
 * @param doc      document id
 * @param first    document position of {@code tokens[0]}
 * @param tokens   display pieces (joined, they give the text back)
 * @param acts     this feature's activation per token (all zero for non-activating)
 * @param kind     where it came from
 * @param quantile for activating windows, the quantile group of its peak (0 lowest); -1 otherwise
 */
public record Example(String id, String doc, int first, String[] tokens, float[] acts, Kind kind, int quantile) {
    public Example {
        if (id == null
                || doc == null
                || tokens == null
                || acts == null
                || tokens.length != acts.length
                || kind == null) {
            throw new IllegalArgumentException(
                    "an example needs an id, a doc, a kind and tokens with one activation each");
        }
    }

    public enum Kind {
        ACTIVATING,
        RANDOM,
        HARD_NEGATIVE
    }

    public boolean activating() {
        return kind == Kind.ACTIVATING;
    }

    public String text() {
        return String.join("", tokens);
    }

    /** Last document position covered, exclusive. */
    public int end() {
        return first + tokens.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Example e
                && id.equals(e.id)
                && kind == e.kind
                && first == e.first
                && Arrays.equals(tokens, e.tokens)
                && Arrays.equals(acts, e.acts);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "Example[" + id + ", " + kind + ", " + text().strip() + "]";
    }
}
