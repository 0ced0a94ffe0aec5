package dev.saestream.label;

import java.util.Locale;
import java.util.Map;

/**
 * Token frequencies of a sample of text, tokens normalised (trimmed, lower-cased) so that
 * " European" and "European" count together.
 *
 * @param counts occurrences per normalised token
 * @param total  all counted tokens
 */
public record TokenStats(Map<String, Long> counts, long total) {
    public static final TokenStats EMPTY = new TokenStats(Map.of(), 0);

    public TokenStats {
        counts = counts == null ? Map.of() : counts;
    }

    public long count(String normalisedToken) {
        return counts.getOrDefault(normalisedToken, 0L);
    }

    /** Trimmed and lower-cased; empty for whitespace-only pieces. */
    public static String normalise(String piece) {
        return piece == null ? "" : piece.strip().toLowerCase(Locale.ROOT);
    }
}
