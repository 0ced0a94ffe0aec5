package dev.saestream.produce;

/**
 * The produce stage (config section {@code produce}).
 *
 * @param maxBytes    largest text accepted, in UTF-8 bytes; bigger ones are dead-lettered
 * @param compression producer compression: zstd, lz4, snappy, gzip or none
 * @param lingerMs    how long the producer waits to fill a batch
 * @param batchBytes  producer batch size in bytes
 * @param lang        languages of the bundled corpus to produce: {@code en} (the default, the language of the
 *                    default model), {@code all}, or codes such as {@code sv} or {@code en,fr}; every document
 *                    gets its detected language in {@code meta.lang}, and only the bundled corpus is filtered
 */
public record ProduceConfig(int maxBytes, String compression, int lingerMs, int batchBytes, String lang) {
    public static final String SECTION = "produce";

    public ProduceConfig {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("produce.maxBytes must be positive, got " + maxBytes);
        }
        if (!java.util.Set.of("zstd", "lz4", "snappy", "gzip", "none").contains(compression)) {
            throw new IllegalArgumentException(
                    "produce.compression must be zstd, lz4, snappy, gzip or none, got " + compression);
        }
        if (lingerMs < 0 || batchBytes <= 0) {
            throw new IllegalArgumentException("produce.lingerMs must be >= 0 and batchBytes > 0");
        }
        dev.saestream.corpus.LanguageFilter.parse(lang);
    }

    /** {@link #lang} parsed. */
    public dev.saestream.corpus.LanguageFilter languages() {
        return dev.saestream.corpus.LanguageFilter.parse(lang);
    }

    public static ProduceConfig defaults() {
        return new ProduceConfig(1 << 20, "zstd", 20, 256 * 1024, "en");
    }

    public ProduceConfig withMaxBytes(int maxBytes) {
        return new ProduceConfig(maxBytes, compression, lingerMs, batchBytes, lang);
    }

    public ProduceConfig withLang(String lang) {
        return new ProduceConfig(maxBytes, compression, lingerMs, batchBytes, lang);
    }
}
