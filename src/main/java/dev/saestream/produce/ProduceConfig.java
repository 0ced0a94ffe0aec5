package dev.saestream.produce;

/**
 * The produce stage (config section {@code produce}).
 *
 * @param maxBytes    largest text accepted, in UTF-8 bytes; bigger ones are dead-lettered
 * @param compression producer compression: zstd, lz4, snappy, gzip or none
 * @param lingerMs    how long the producer waits to fill a batch
 * @param batchBytes  producer batch size in bytes
 */
public record ProduceConfig(int maxBytes, String compression, int lingerMs, int batchBytes) {
    public static final String SECTION = "produce";

    public ProduceConfig {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("produce.maxBytes must be positive, got " + maxBytes);
        }
        if (!java.util.Set.of("zstd", "lz4", "snappy", "gzip", "none").contains(compression)) {
            throw new IllegalArgumentException("produce.compression must be zstd, lz4, snappy, gzip or none, got " + compression);
        }
        if (lingerMs < 0 || batchBytes <= 0) {
            throw new IllegalArgumentException("produce.lingerMs must be >= 0 and batchBytes > 0");
        }
    }

    public static ProduceConfig defaults() {
        return new ProduceConfig(1 << 20, "zstd", 20, 256 * 1024);
    }
}
