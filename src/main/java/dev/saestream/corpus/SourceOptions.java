package dev.saestream.corpus;

/**
 * How sources read their input.
 *
 * @param format   text, JSON Lines, or decided by extension
 * @param perLine  for text: one document per line instead of per file
 * @param maxBytes largest text accepted, in UTF-8 bytes; bigger ones are refused as too large
 */
public record SourceOptions(TextFormat format, boolean perLine, int maxBytes) {
    public static final int DEFAULT_MAX_BYTES = 1 << 20;

    public SourceOptions {
        if (format == null) {
            throw new IllegalArgumentException("format must be given");
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
    }

    public static SourceOptions defaults() {
        return new SourceOptions(TextFormat.AUTO, false, DEFAULT_MAX_BYTES);
    }

    /** The line length beyond which a JSON line is refused unparsed: escapes like \\uXXXX take six bytes a character. */
    int jsonLineLimit() {
        return (int) Math.min(Integer.MAX_VALUE - 64, 6L * maxBytes + 65_536);
    }
}
