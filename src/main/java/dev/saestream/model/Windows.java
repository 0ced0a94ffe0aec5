package dev.saestream.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a long token sequence into windows the model can take. Consecutive windows share
 * {@code overlap} tokens; each shared token is kept from the window where it sits farther from
 * the edge (the overlap is split at its middle), so every token comes back once, in order, with
 * at least {@code overlap / 2} tokens of context on each side that has any.
 */
final class Windows {
    /**
     * One window over the text's tokens (special tokens not counted).
     *
     * @param start    first token in the window
     * @param end      one past the last token in the window
     * @param keepFrom first token taken from this window
     * @param keepTo   one past the last token taken from this window
     */
    record Window(int start, int end, int keepFrom, int keepTo) {
        int length() {
            return end - start;
        }
    }

    private Windows() {}

    /** Windows of at most {@code size} tokens over {@code n} tokens; none for an empty text. */
    static List<Window> plan(int n, int size, int overlap) {
        if (size <= 0) {
            throw new IllegalArgumentException("window size must be positive, got " + size);
        }
        if (overlap < 0 || overlap >= size) {
            throw new IllegalArgumentException("overlap must be in [0, " + size + "), got " + overlap);
        }
        List<int[]> spans = new ArrayList<>();
        for (int start = 0; n > 0; start += size - overlap) {
            int end = Math.min(start + size, n);
            spans.add(new int[] {start, end});
            if (end == n) {
                break;
            }
        }
        List<Window> windows = new ArrayList<>(spans.size());
        int keepFrom = 0;
        for (int k = 0; k < spans.size(); k++) {
            int[] s = spans.get(k);
            int keepTo = k + 1 < spans.size() ? spans.get(k + 1)[0] + (s[1] - spans.get(k + 1)[0]) / 2 : n;
            windows.add(new Window(s[0], s[1], keepFrom, keepTo));
            keepFrom = keepTo;
        }
        return windows;
    }
}
